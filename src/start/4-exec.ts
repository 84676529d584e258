/**
 * Stage 3, part two: become the container's process. Order matters (runc's
 * finalizeNamespace): own session, limits, the bounding set, the seccomp filter, then user
 * and groups, then the capability drop, then close bunker's descriptors, then execve. After
 * execve nothing of bunker remains in the container: the user's command is PID 1.
 *
 * The filter goes on as late as it can: installing one needs CAP_SYS_ADMIN unless
 * no_new_privs is set, so without `no-new-privileges` it goes on just before the process
 * gives up its identity and capabilities (what follows, setgroups to execve, is allowed by
 * Docker's profile), and with it right before execve, as runc does.
 */
import { accessSync, constants, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import * as C from "../../ffi/constants.ts";
import type { LaunchSpec } from "./spec.ts";
import { kernel, type StageSyscalls } from "./syscalls.ts";
import { resolveGroups, resolveUser } from "./user.ts";

/** The start error and the exit code Docker uses for it (127: not found, 126: not runnable). */
export class ExecError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

/** What becoming the process takes: the same for a container's init and for an exec'd process. */
export type ProcessSpec = Pick<LaunchSpec, "process" | "terminal" | "capabilities" | "seccomp" | "noNewPrivileges" | "rlimits" | "additionalGroups">;

export function execProcess(spec: ProcessSpec, sys: StageSyscalls = kernel): void {
  const { args, env, cwd } = spec.process;
  sys.setsid();
  if (spec.terminal) sys.setControllingTerminal(0);
  const user = resolveUser(spec.process.user);
  const groups = [...new Set([...user.groups, ...resolveGroups(spec.additionalGroups)])];
  mkdirSync(cwd, { recursive: true });
  process.chdir(cwd);
  const path = lookPath(args[0], env);
  // The bounding set must shrink while we still hold CAP_SETPCAP, before leaving uid 0.
  for (const limit of spec.rlimits) sys.setrlimit(limit.resource, limit.soft, limit.hard);
  dropBoundingSet(sys, spec.capabilities);
  const filter = spec.seccomp === undefined ? undefined : new Uint8Array(Buffer.from(spec.seccomp, "base64"));
  if (spec.noNewPrivileges) sys.prctl(C.PR_SET_NO_NEW_PRIVS, 1);
  else if (filter) sys.installSeccompFilter(filter);
  sys.setgroups(groups);
  sys.setresgid(user.gid);
  sys.setresuid(user.uid);
  // A non-root user lost every capability with setresuid, as under Docker; root keeps the default set.
  if (user.uid === 0) sys.capset(spec.capabilities);
  sys.closeFromOnExec(3);
  sys.resetSignals();
  if (filter && spec.noNewPrivileges) sys.installSeccompFilter(filter);
  try {
    sys.execve(path, args, withHome(env, user.home));
  } catch (err) {
    throw new ExecError(`exec: "${args[0]}": ${(err as Error).message.replace(/^execve /, "")}`, 126);
  }
}

function withHome(env: string[], home: string): string[] {
  return env.some((e) => e.startsWith("HOME=")) ? env : [...env, `HOME=${home}`];
}

/** Finds the command the way execvp would, but in the container's PATH, not bunker's. */
function lookPath(command: string, env: string[]): string {
  if (command.includes("/")) {
    checkRunnable(command);
    return command;
  }
  const pathVar = env.find((e) => e.startsWith("PATH="))?.slice(5) ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const dir of pathVar.split(":")) {
    const candidate = join(dir || ".", command);
    try {
      if (statSync(candidate).isFile()) {
        accessSync(candidate, constants.X_OK);
        return candidate;
      }
    } catch {
      // Not in this directory; keep looking.
    }
  }
  throw new ExecError(`exec: "${command}": executable file not found in $PATH`, 127);
}

function checkRunnable(path: string): void {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new ExecError(`exec: "${path}": stat ${path}: no such file or directory`, 127);
  }
  if (stat.isDirectory()) throw new ExecError(`exec: "${path}": is a directory`, 126);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new ExecError(`exec: "${path}": permission denied`, 126);
  }
}

function dropBoundingSet(sys: StageSyscalls, keep: number[]): void {
  const last = Number(readFileSync("/proc/sys/kernel/cap_last_cap", "utf8"));
  for (let cap = 0; cap <= last; cap++) {
    if (!keep.includes(cap)) sys.prctl(C.PR_CAPBSET_DROP, cap);
  }
  sys.prctl(C.PR_CAP_AMBIENT, C.PR_CAP_AMBIENT_CLEAR_ALL);
}
