/**
 * The seccomp filter of a container: its profile's rules for its capabilities, compiled by
 * libseccomp in the daemon. Compiling Docker's profile takes milliseconds; the same profile
 * and capabilities give the same program, so it is compiled once and every later start only
 * installs it.
 */
import { release } from "node:os";
import { compileSeccompFilter, SCMP_ARCH, SCMP_CMP, seccompAvailable } from "../../ffi/seccomp.ts";
import { InvalidArgumentError } from "../errors.ts";
import { kernelVersion, selectRules, type SeccompAction, type SeccompProfile } from "./seccomp-profile.ts";

const EPERM = 1;

/** The kernel's SECCOMP_RET_* value for a profile action (libseccomp's SCMP_ACT_*). */
function actionValue(action: SeccompAction, errnoRet: number | undefined): number {
  switch (action) {
    case "SCMP_ACT_ALLOW":
      return 0x7fff0000;
    case "SCMP_ACT_ERRNO":
      return (0x00050000 | ((errnoRet ?? EPERM) & 0xffff)) >>> 0;
    case "SCMP_ACT_KILL_PROCESS":
      return 0x80000000;
    case "SCMP_ACT_KILL":
    case "SCMP_ACT_KILL_THREAD":
      return 0;
    case "SCMP_ACT_TRAP":
      return 0x00030000;
    case "SCMP_ACT_TRACE":
      return (0x7ff00000 | ((errnoRet ?? EPERM) & 0xffff)) >>> 0;
    case "SCMP_ACT_LOG":
      return 0x7ffc0000;
  }
}

/** Compiled programs by profile (the object: the default one, or one parsed per container) and capability set. */
const programs = new WeakMap<SeccompProfile, Map<string, string>>();

export { seccompAvailable };

/** The BPF program for `profile` and a bounding set of `capabilities` (names without CAP_), base64 for the launch spec. */
export function seccompProgram(profile: SeccompProfile, capabilities: readonly string[]): string {
  const key = [...capabilities].sort().join(",");
  let byCapabilities = programs.get(profile);
  if (!byCapabilities) programs.set(profile, (byCapabilities = new Map()));
  let program = byCapabilities.get(key);
  if (program === undefined) {
    const spec = selectRules(profile, capabilities, kernelVersion(release()));
    const defaultAction = actionValue(spec.defaultAction, spec.defaultErrnoRet);
    const arches = spec.extraArches.map((name) => {
      const token = SCMP_ARCH[name];
      if (token === undefined) throw new InvalidArgumentError(`seccomp profile: architecture ${name} is not supported on this host`);
      return token;
    });
    const rules = spec.rules
      .map((rule) => ({
        name: rule.name,
        action: actionValue(rule.action, rule.errnoRet),
        args: rule.args.map((arg) => ({ index: arg.index, op: SCMP_CMP[arg.op], a: BigInt(arg.value), b: BigInt(arg.valueTwo ?? 0) })),
      }))
      // libseccomp refuses a rule that only repeats the default action.
      .filter((rule) => rule.action !== defaultAction);
    program = Buffer.from(compileSeccompFilter(defaultAction, arches, rules)).toString("base64");
    byCapabilities.set(key, program);
  }
  return program;
}
