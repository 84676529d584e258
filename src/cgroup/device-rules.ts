/**
 * Device access rules: what a container may create (mknod) and open. runc's defaults let it
 * make any node but use only the harmless ones; `--device` and `--device-cgroup-rule` add to
 * them. On cgroup v1 they are the devices controller's lines; on v2 the same rules are an
 * eBPF program (./device-program.ts).
 */
import { InvalidArgumentError } from "../errors.ts";

export interface DeviceRule {
  /** "c", "b", or "a" for both. */
  type: "c" | "b" | "a";
  /** A number, or "*" for any. */
  major: number | "*";
  minor: number | "*";
  /** Some of "r", "w", "m". */
  access: string;
}

const rule = (type: DeviceRule["type"], major: number | "*", minor: number | "*", access = "rwm"): DeviceRule => ({ type, major, minor, access });

export const DEFAULT_DEVICE_RULES: DeviceRule[] = [
  rule("c", "*", "*", "m"),
  rule("b", "*", "*", "m"),
  rule("c", 1, 3), // null
  rule("c", 1, 5), // zero
  rule("c", 1, 7), // full
  rule("c", 1, 8), // random
  rule("c", 1, 9), // urandom
  rule("c", 5, 0), // tty
  rule("c", 5, 1), // console
  rule("c", 5, 2), // ptmx
  rule("c", 136, "*"), // pts
  rule("c", 10, 200), // net/tun
];

/** `--device-cgroup-rule 'c 42:* rmw'`, in the devices controller's syntax. */
export function parseDeviceCgroupRule(text: string): DeviceRule {
  const match = /^([abc]) (\d+|\*):(\d+|\*) ([rwm]{1,3})$/.exec(text.trim());
  if (!match) throw new InvalidArgumentError(`invalid device cgroup rule format: '${text}'`);
  const number = (part: string) => (part === "*" ? "*" : Number(part));
  return rule(match[1] as DeviceRule["type"], number(match[2]), number(match[3]), match[4]);
}
