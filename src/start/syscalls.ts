/**
 * The kernel calls the inside stages (3 and 4) make, as one seam: the stages take an
 * implementation, the real one by default. A recording fake in the unit tests asserts the
 * order of what they do (pivot, masks, groups, uid, capabilities, close-on-exec, execve)
 * without root, where a wrong order would be a security hole rather than a failure.
 */
import * as ffi from "../../ffi/sys.ts";

export interface StageSyscalls {
  mount(source: string | null, target: string, fstype: string | null, flags: number, data?: string | null): void;
  umount2(target: string, flags: number): void;
  pivotRoot(newRoot: string, putOld: string): void;
  mknod(path: string, mode: number, major: number, minor: number): void;
  sethostname(name: string): void;
  setsid(): void;
  setControllingTerminal(fd: number): void;
  prctl(option: number, arg2?: number, arg3?: number): number;
  setgroups(gids: number[]): void;
  setresgid(gid: number): void;
  setresuid(uid: number): void;
  capset(caps: number[]): void;
  closeFromOnExec(first: number): void;
  resetSignals(): void;
  execve(path: string, argv: string[], env: string[]): void;
  installSeccompFilter(program: Uint8Array): void;
  setrlimit(resource: number, soft: number, hard: number): void;
}

/** The real calls, through bun:ffi. */
export const kernel: StageSyscalls = ffi;
