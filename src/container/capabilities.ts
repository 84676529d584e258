/** Docker's default capability set: what a container's root keeps. Everything else is dropped. */
import { CAPABILITIES, type Capability } from "../../ffi/constants.ts";

export const DEFAULT_CAPABILITIES: Capability[] = [
  "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP",
  "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
];

export function capabilityNumbers(names: Capability[]): number[] {
  return names.map((name) => CAPABILITIES.indexOf(name));
}
