/**
 * Docker's seccomp profile format (`--security-opt seccomp=FILE`, and the default profile),
 * and the selection Docker makes from it for one container: the entries whose `includes`
 * and `excludes` (capabilities in the bounding set, architecture, minimum kernel) hold. What
 * is left is a plain list of rules that ffi/seccomp.ts compiles.
 */
import { InvalidArgumentError } from "../errors.ts";

export type SeccompAction =
  | "SCMP_ACT_KILL"
  | "SCMP_ACT_KILL_PROCESS"
  | "SCMP_ACT_KILL_THREAD"
  | "SCMP_ACT_TRAP"
  | "SCMP_ACT_ERRNO"
  | "SCMP_ACT_TRACE"
  | "SCMP_ACT_ALLOW"
  | "SCMP_ACT_LOG";

export type SeccompOperator =
  | "SCMP_CMP_NE"
  | "SCMP_CMP_LT"
  | "SCMP_CMP_LE"
  | "SCMP_CMP_EQ"
  | "SCMP_CMP_GE"
  | "SCMP_CMP_GT"
  | "SCMP_CMP_MASKED_EQ";

export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: SeccompOperator;
}

interface SeccompFilter {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

export interface SeccompEntry {
  names?: string[];
  /** Old profiles name one syscall per entry. */
  name?: string;
  action: SeccompAction;
  errnoRet?: number;
  args?: SeccompArg[] | null;
  comment?: string;
  includes?: SeccompFilter;
  excludes?: SeccompFilter;
}

export interface SeccompProfile {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures: string[] | null }[];
  syscalls?: SeccompEntry[] | null;
}

/** One rule as compiled: the action for `name`, when every one of `args` holds. */
export interface SeccompRule {
  name: string;
  action: SeccompAction;
  errnoRet?: number;
  args: SeccompArg[];
}

/** What a filter for one container is made of. */
export interface SeccompProgramSpec {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  /** Architectures besides the native one (SCMP_ARCH_X86, SCMP_ARCH_X32). */
  extraArches: string[];
  rules: SeccompRule[];
}

const ACTIONS = new Set<string>(["SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG"]);
const OPERATORS = new Set<string>(["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"]);

/** The names Docker's profiles use for this host's architecture (Go's GOARCH, and libseccomp's). */
const NATIVE_ARCH = "amd64";
const NATIVE_SCMP_ARCH = "SCMP_ARCH_X86_64";

/** Parses a profile as `docker run --security-opt seccomp=FILE` sends it (the file's contents); wrong shapes are refused with Docker's wording. */
export function parseSeccompProfile(text: string): SeccompProfile {
  let profile: SeccompProfile;
  try {
    profile = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`Decoding seccomp profile failed: ${(err as Error).message}`);
  }
  if (profile === null || typeof profile !== "object" || Array.isArray(profile)) throw new InvalidArgumentError("Decoding seccomp profile failed: not a JSON object");
  if (!ACTIONS.has(profile.defaultAction)) throw new InvalidArgumentError(`seccomp profile: unknown defaultAction ${JSON.stringify(profile.defaultAction)}`);
  if (profile.architectures?.length && profile.archMap?.length) {
    throw new InvalidArgumentError("both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'");
  }
  if (profile.syscalls != null && !Array.isArray(profile.syscalls)) throw new InvalidArgumentError("seccomp profile: syscalls must be a list");
  for (const entry of profile.syscalls ?? []) checkEntry(entry);
  return profile;
}

function checkEntry(entry: SeccompEntry): void {
  if (entry === null || typeof entry !== "object") throw new InvalidArgumentError("seccomp profile: a syscalls entry must be an object");
  if (entry.name && entry.names?.length) throw new InvalidArgumentError("both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'");
  const names = entry.names ?? (entry.name ? [entry.name] : []);
  if (!Array.isArray(names) || names.some((n) => typeof n !== "string")) throw new InvalidArgumentError("seccomp profile: names must be a list of strings");
  if (!ACTIONS.has(entry.action)) throw new InvalidArgumentError(`seccomp profile: unknown action ${JSON.stringify(entry.action)}`);
  for (const arg of entry.args ?? []) {
    if (!Number.isInteger(arg?.index) || arg.index < 0 || arg.index > 5) throw new InvalidArgumentError(`seccomp profile: argument index must be 0 to 5`);
    if (!OPERATORS.has(arg.op)) throw new InvalidArgumentError(`seccomp profile: unknown operator ${JSON.stringify(arg.op)}`);
    if (typeof arg.value !== "number" || (arg.valueTwo !== undefined && typeof arg.valueTwo !== "number")) throw new InvalidArgumentError("seccomp profile: argument values must be numbers");
  }
  for (const filter of [entry.includes, entry.excludes]) {
    if (filter?.minKernel !== undefined && filter.minKernel !== "" && !/^\d+\.\d+$/.test(filter.minKernel)) {
      throw new InvalidArgumentError(`invalid kernel version: ${filter.minKernel}, expected "<kernel>.<major>"`);
    }
  }
}

/**
 * The rules of `profile` that apply to a container whose bounding set is `capabilities`
 * (names without `CAP_`), on a kernel of version `kernel` ([major, minor]). Docker's
 * selection: an entry is skipped when an excluded cap is held, an excluded arch is ours or
 * the kernel reaches an excluded version; and unless every included cap is held, our arch is
 * among the included ones and the kernel reaches the included version.
 */
export function selectRules(profile: SeccompProfile, capabilities: readonly string[], kernel: [number, number]): SeccompProgramSpec {
  const held = new Set(capabilities.map((cap) => `CAP_${cap}`));
  const reaches = (version: string | undefined) => {
    if (!version) return undefined;
    const [major, minor] = version.split(".").map(Number);
    return kernel[0] > major || (kernel[0] === major && kernel[1] >= minor);
  };
  const applies = (entry: SeccompEntry) => {
    const { includes: inc, excludes: exc } = entry;
    if (exc?.arches?.includes(NATIVE_ARCH)) return false;
    if (exc?.caps?.some((cap) => held.has(cap))) return false;
    if (reaches(exc?.minKernel) === true) return false;
    if (inc?.arches?.length && !inc.arches.includes(NATIVE_ARCH)) return false;
    if (inc?.caps?.some((cap) => !held.has(cap))) return false;
    if (reaches(inc?.minKernel) === false) return false;
    return true;
  };
  const rules: SeccompRule[] = [];
  for (const entry of profile.syscalls ?? []) {
    if (!applies(entry)) continue;
    for (const name of entry.names ?? (entry.name ? [entry.name] : [])) {
      rules.push({ name, action: entry.action, errnoRet: entry.errnoRet, args: entry.args ?? [] });
    }
  }
  const mapped = profile.archMap?.find((arch) => arch.architecture === NATIVE_SCMP_ARCH);
  const arches = profile.architectures?.length ? profile.architectures : mapped ? [mapped.architecture, ...(mapped.subArchitectures ?? [])] : [];
  return {
    defaultAction: profile.defaultAction,
    defaultErrnoRet: profile.defaultErrnoRet,
    extraArches: arches.filter((arch) => arch !== NATIVE_SCMP_ARCH),
    rules,
  };
}

/** "6.18.44-fc-v1045" → [6, 18]. */
export function kernelVersion(release: string): [number, number] {
  const [major = 0, minor = 0] = release.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0);
  return [major, minor];
}
