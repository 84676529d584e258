/**
 * The resource and privilege flags of `run`, `create` and (the limits) `update`, and the
 * HostConfig fields they become, parsed as the docker CLI parses them: sizes in its units
 * (`32m`, `1g`), `--cpus 0.5` as NanoCpus, `seccomp=FILE` sent as the file's JSON.
 */
import { readFileSync } from "node:fs";
import { UsageError, type FlagDefs, type ParsedFlags } from "./args.ts";

export const limitFlags = {
  memory: { kind: "string", short: "m", description: "Memory limit", valueName: "bytes" },
  "memory-swap": { kind: "string", description: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", valueName: "bytes" },
  "memory-reservation": { kind: "string", description: "Memory soft limit", valueName: "bytes" },
  "cpu-shares": { kind: "string", short: "c", description: "CPU shares (relative weight)", valueName: "int" },
  cpus: { kind: "string", description: "Number of CPUs", valueName: "decimal" },
  "cpu-period": { kind: "string", description: "Limit CPU CFS (Completely Fair Scheduler) period", valueName: "int" },
  "cpu-quota": { kind: "string", description: "Limit CPU CFS (Completely Fair Scheduler) quota", valueName: "int" },
  "cpuset-cpus": { kind: "string", description: "CPUs in which to allow execution (0-3, 0,1)", valueName: "string" },
  "cpuset-mems": { kind: "string", description: "MEMs in which to allow execution (0-3, 0,1)", valueName: "string" },
  "pids-limit": { kind: "string", description: "Tune container pids limit (set -1 for unlimited)", valueName: "int" },
  "blkio-weight": { kind: "string", description: "Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)", valueName: "uint16" },
} as const satisfies FlagDefs;

export const privilegeFlags = {
  ...limitFlags,
  "oom-kill-disable": { kind: "boolean", description: "Disable OOM Killer" },
  "oom-score-adj": { kind: "string", description: "Tune host's OOM preferences (-1000 to 1000)", valueName: "int" },
  "device-read-bps": { kind: "list", description: "Limit read rate (bytes per second) from a device", valueName: "list" },
  "device-write-bps": { kind: "list", description: "Limit write rate (bytes per second) to a device", valueName: "list" },
  privileged: { kind: "boolean", description: "Give extended privileges to this container" },
  "cap-add": { kind: "list", description: "Add Linux capabilities", valueName: "list" },
  "cap-drop": { kind: "list", description: "Drop Linux capabilities", valueName: "list" },
  "security-opt": { kind: "list", description: "Security Options", valueName: "list" },
  device: { kind: "list", description: "Add a host device to the container", valueName: "list" },
  "device-cgroup-rule": { kind: "list", description: "Add a rule to the cgroup allowed devices list", valueName: "list" },
  "read-only": { kind: "boolean", description: "Mount the container's root filesystem as read only" },
  tmpfs: { kind: "list", description: "Mount a tmpfs directory", valueName: "list" },
  ulimit: { kind: "list", description: "Ulimit options", valueName: "ulimit" },
  sysctl: { kind: "list", description: "Sysctl options", valueName: "map" },
  "shm-size": { kind: "string", description: "Size of /dev/shm", valueName: "bytes" },
  "group-add": { kind: "list", description: "Add additional groups to join", valueName: "list" },
  cgroupns: { kind: "string", description: 'Cgroup namespace to use (host|private) (default "private")', valueName: "string" },
  "cgroup-parent": { kind: "string", description: "Optional parent cgroup for the container", valueName: "string" },
} as const satisfies FlagDefs;

const UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** docker's RAMInBytes: `32m`, `1.5g`, `512kb`, case-insensitive, binary units. */
export function parseSize(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)b?$/i.exec(text.trim());
  if (!match) throw new UsageError(`invalid argument "${text}" for "${flag}" flag: invalid size: '${text}'`);
  return Math.floor(Number(match[1]) * UNITS[match[2].toLowerCase()]);
}

function parseInteger(text: string, flag: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new UsageError(`invalid argument "${text}" for "${flag}" flag: strconv.ParseInt: parsing "${text}": invalid syntax`);
  return Number(text);
}

/** `--memory-swap -1` is unlimited; anything else a size. */
function parseSwap(text: string): number {
  return text === "-1" ? -1 : parseSize(text, "--memory-swap");
}

function parseCpus(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw new UsageError(`invalid argument "${text}" for "--cpus" flag: failed to parse ${text} as a rational number`);
  return Math.round(value * 1e9);
}

/** `--device-read-bps /dev/sda:1mb`. */
function parseThrottle(spec: string, flag: string): { Path: string; Rate: number } {
  const colon = spec.lastIndexOf(":");
  if (colon <= 0 || !spec.startsWith("/dev/")) throw new UsageError(`invalid argument "${spec}" for "${flag}" flag: bad format: ${spec}`);
  return { Path: spec.slice(0, colon), Rate: parseSize(spec.slice(colon + 1), flag) };
}

type LimitFlagValues = ParsedFlags<typeof limitFlags>;

/** The limits given on the command line; a flag not given is left out (update keeps the old value). */
export function limitsFromFlags(flags: LimitFlagValues): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  const put = (key: string, text: string | undefined, parse: (t: string) => number | string) => {
    if (text !== undefined) out[key] = parse(text);
  };
  put("Memory", flags.memory, (t) => parseSize(t, "-m, --memory"));
  put("MemorySwap", flags["memory-swap"], parseSwap);
  put("MemoryReservation", flags["memory-reservation"], (t) => parseSize(t, "--memory-reservation"));
  put("CpuShares", flags["cpu-shares"], (t) => parseInteger(t, "-c, --cpu-shares"));
  put("NanoCpus", flags.cpus, parseCpus);
  put("CpuPeriod", flags["cpu-period"], (t) => parseInteger(t, "--cpu-period"));
  put("CpuQuota", flags["cpu-quota"], (t) => parseInteger(t, "--cpu-quota"));
  put("CpusetCpus", flags["cpuset-cpus"], (t) => t);
  put("CpusetMems", flags["cpuset-mems"], (t) => t);
  put("PidsLimit", flags["pids-limit"], (t) => parseInteger(t, "--pids-limit"));
  put("BlkioWeight", flags["blkio-weight"], (t) => parseInteger(t, "--blkio-weight"));
  return out;
}

/** `key=value` flags (`--sysctl`) as a map. */
function keyValues(entries: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    if (eq <= 0) throw new UsageError(`invalid argument "${entry}" for "${flag}" flag: invalid value ${entry}`);
    out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

/** docker reads a seccomp profile itself and sends its JSON, compacted, in place of the path. */
function securityOpts(opts: string[]): string[] {
  return opts.map((opt) => {
    const match = /^seccomp[=:](.*)$/s.exec(opt);
    if (!match || match[1] === "unconfined" || match[1].trimStart().startsWith("{")) return opt;
    let text;
    try {
      text = readFileSync(match[1], "utf8");
    } catch (err) {
      throw new UsageError(`invalid argument "${opt}" for "--security-opt" flag: opening seccomp profile (${match[1]}) failed: ${(err as Error).message}`);
    }
    try {
      return `seccomp=${JSON.stringify(JSON.parse(text))}`;
    } catch (err) {
      throw new UsageError(`invalid argument "${opt}" for "--security-opt" flag: compacting json for seccomp profile (${match[1]}) failed: ${(err as Error).message}`);
    }
  });
}

/** `--device /dev/fuse[:/dev/fuse[:rwm]]`. */
function deviceMapping(spec: string): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  const parts = spec.split(":");
  const permissions = parts.length > 1 && /^[rwm]{1,3}$/.test(parts[parts.length - 1]) ? parts.pop()! : "rwm";
  if (parts.length > 2 || !parts[0]) throw new UsageError(`invalid argument "${spec}" for "--device" flag: bad format for path: ${spec}`);
  return { PathOnHost: parts[0], PathInContainer: parts[1] ?? parts[0], CgroupPermissions: permissions };
}

/** `--ulimit nofile=1024:2048`. */
function ulimit(spec: string): { Name: string; Soft: number; Hard: number } {
  const match = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(spec);
  if (!match) throw new UsageError(`invalid argument "${spec}" for "--ulimit" flag: invalid ulimit argument: ${spec}`);
  return { Name: match[1], Soft: Number(match[2]), Hard: Number(match[3] ?? match[2]) };
}

/** The HostConfig fields of these flags, for `create`. */
export function privilegeHostConfig(flags: ParsedFlags<typeof privilegeFlags>) {
  const nonEmpty = (list: string[]) => (list.length > 0 ? list : null);
  return {
    ...limitsFromFlags(flags),
    OomKillDisable: flags["oom-kill-disable"],
    ...(flags["oom-score-adj"] === undefined ? {} : { OomScoreAdj: parseInteger(flags["oom-score-adj"], "--oom-score-adj") }),
    BlkioDeviceReadBps: flags["device-read-bps"].map((spec) => parseThrottle(spec, "--device-read-bps")),
    BlkioDeviceWriteBps: flags["device-write-bps"].map((spec) => parseThrottle(spec, "--device-write-bps")),
    Privileged: flags.privileged,
    CapAdd: nonEmpty(flags["cap-add"]),
    CapDrop: nonEmpty(flags["cap-drop"]),
    SecurityOpt: nonEmpty(securityOpts(flags["security-opt"])),
    Devices: flags.device.map(deviceMapping),
    DeviceCgroupRules: nonEmpty(flags["device-cgroup-rule"]),
    ReadonlyRootfs: flags["read-only"],
    Tmpfs: Object.fromEntries(flags.tmpfs.map((spec) => {
      const colon = spec.indexOf(":");
      return colon < 0 ? [spec, ""] : [spec.slice(0, colon), spec.slice(colon + 1)];
    })),
    Ulimits: flags.ulimit.map(ulimit),
    Sysctls: keyValues(flags.sysctl, "--sysctl"),
    ...(flags["shm-size"] === undefined ? {} : { ShmSize: parseSize(flags["shm-size"], "--shm-size") }),
    GroupAdd: nonEmpty(flags["group-add"]),
    CgroupnsMode: flags.cgroupns ?? "",
    CgroupParent: flags["cgroup-parent"] ?? "",
  };
}
