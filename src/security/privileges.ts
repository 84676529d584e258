/**
 * What a container may do, from its HostConfig: its capabilities (Docker's default set,
 * `--cap-add`/`--cap-drop`, everything with `--privileged`), its seccomp profile (Docker's
 * default, `seccomp=unconfined`, or a profile of the user's), `no-new-privileges`, and the
 * kernel settings it may change (`--sysctl`: only the namespaced ones). Checked once at
 * create, with Docker's wording; turned into the launch spec's parts at each start.
 */
import { readFileSync } from "node:fs";
import { CAPABILITIES, type Capability } from "../../ffi/constants.ts";
import { InvalidArgumentError } from "../errors.ts";
import { DEFAULT_SECCOMP_PROFILE } from "./default-seccomp-profile.ts";
import { parseSeccompProfile, type SeccompProfile } from "./seccomp-profile.ts";
import { seccompAvailable, seccompProgram } from "./seccomp.ts";

/** Docker's default capability set: what a container's root keeps. Everything else is dropped. */
export const DEFAULT_CAPABILITIES: Capability[] = [
  "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP",
  "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
];

export interface PrivilegeConfig {
  Privileged?: boolean | null;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  SecurityOpt?: string[] | null;
}

/** `net_admin`, `CAP_NET_ADMIN` and `NET_ADMIN` are one capability; `ALL` stands for every one. */
function normalizeCapability(name: string): Capability | "ALL" {
  const upper = name.toUpperCase();
  if (upper === "ALL") return "ALL";
  const bare = upper.startsWith("CAP_") ? upper.slice(4) : upper;
  if (!(CAPABILITIES as readonly string[]).includes(bare)) throw new InvalidArgumentError(`unknown capability: "CAP_${bare}"`);
  return bare as Capability;
}

/** Docker's arithmetic: privileged gets all; `--cap-add ALL` starts from all, `--cap-drop ALL` from none; adds win over drops. */
export function capabilitiesOf(config: PrivilegeConfig): Capability[] {
  if (config.Privileged) return [...CAPABILITIES];
  const add = (config.CapAdd ?? []).map(normalizeCapability);
  const drop = (config.CapDrop ?? []).map(normalizeCapability);
  const base = new Set<Capability>(add.includes("ALL") ? CAPABILITIES : drop.includes("ALL") ? [] : DEFAULT_CAPABILITIES);
  for (const cap of drop) if (cap !== "ALL" && !add.includes(cap)) base.delete(cap);
  for (const cap of add) if (cap !== "ALL") base.add(cap);
  return CAPABILITIES.filter((cap) => base.has(cap));
}

export interface SecurityOptions {
  /** undefined: unconfined. */
  seccomp: SeccompProfile | undefined;
  noNewPrivileges: boolean;
}

/** Parsed user profiles by their text, so each start finds the same object and its compiled program (./seccomp.ts). */
const userProfiles = new Map<string, SeccompProfile>();
const USER_PROFILES_KEPT = 16;

function profileOf(text: string): SeccompProfile {
  let profile = userProfiles.get(text);
  if (!profile) {
    profile = parseSeccompProfile(text);
    if (userProfiles.size >= USER_PROFILES_KEPT) userProfiles.delete(userProfiles.keys().next().value!);
    userProfiles.set(text, profile);
  }
  return profile;
}

/** `--security-opt` entries (`seccomp=unconfined`, `seccomp={json}`, `no-new-privileges[=true]`; the old `key:value` form too). */
export function parseSecurityOpts(opts: string[] | null | undefined, privileged: boolean): SecurityOptions {
  let seccomp: SeccompProfile | undefined = privileged ? undefined : DEFAULT_SECCOMP_PROFILE;
  let noNewPrivileges = false;
  for (const opt of opts ?? []) {
    const sep = /[=:]/.exec(opt);
    const key = sep ? opt.slice(0, sep.index) : opt;
    const value = sep ? opt.slice(sep.index + 1) : "";
    if (key === "no-new-privileges") {
      if (!["", "true", "false"].includes(value)) throw new InvalidArgumentError(`invalid --security-opt 2: "${opt}"`);
      noNewPrivileges = value !== "false";
    } else if (key === "seccomp" && value !== "") {
      // A privileged container runs unconfined whatever the profile says, as under Docker.
      if (value === "unconfined") seccomp = undefined;
      else if (!privileged) seccomp = profileOf(value);
    } else if ((key === "apparmor" || key === "label") && value !== "") {
      // No LSM is configured by bunker; Docker too accepts these where the host has none.
    } else {
      throw new InvalidArgumentError(`invalid --security-opt 1: "${opt}"`);
    }
  }
  return { seccomp, noNewPrivileges };
}

/** The launch spec's security parts: capability numbers, the compiled seccomp program, no_new_privs. */
export function launchPrivileges(config: PrivilegeConfig): { capabilities: number[]; seccomp?: string; noNewPrivileges: boolean; privileged: boolean } {
  const capabilities = capabilitiesOf(config);
  const privileged = config.Privileged === true;
  const options = parseSecurityOpts(config.SecurityOpt, privileged);
  const held = daemonBoundingSet();
  return {
    // No process can pass on a capability it lacks itself: a daemon confined to fewer gives what it has.
    capabilities: capabilities.map((cap) => CAPABILITIES.indexOf(cap)).filter((cap) => (held >> BigInt(cap)) & 1n),
    seccomp: options.seccomp && seccompAvailable() ? seccompProgram(options.seccomp, capabilities) : undefined,
    noNewPrivileges: options.noNewPrivileges,
    privileged,
  };
}

let boundingSet: bigint | undefined;

/** The daemon's own capability bounding set (CapBnd in /proc/self/status). */
function daemonBoundingSet(): bigint {
  boundingSet ??= BigInt(`0x${/^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? "0"}`);
  return boundingSet;
}

/** What `info` lists under SecurityOptions. */
export function securityOptionsInfo(): string[] {
  return seccompAvailable() ? ["name=seccomp,profile=default"] : [];
}

const IPC_SYSCTLS = new Set(["kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"]);

/**
 * `--sysctl`: only what lives in a namespace of the container's own (IPC, and the network
 * unless it shares the host's); anything else would change the host.
 */
export function checkSysctls(sysctls: Record<string, string> | null | undefined, networkMode: string): Record<string, string> {
  for (const key of Object.keys(sysctls ?? {})) {
    const namespaced = IPC_SYSCTLS.has(key) || key.startsWith("fs.mqueue.") || (key.startsWith("net.") && networkMode !== "host");
    if (!namespaced || !/^[a-z0-9_.-]+$/.test(key)) throw new InvalidArgumentError(`sysctl "${key}" is not in a separate kernel namespace`);
  }
  return sysctls ?? {};
}
