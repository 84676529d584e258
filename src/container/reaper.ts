/**
 * The daemon owns every container's exit. As a child subreaper it adopts each container's
 * init when stage 2 exits, and reaps it with waitid(P_PID) on SIGCHLD, one watched PID at a
 * time, so Bun's own children are left alone. Inits that outlived a previous daemon are not
 * our children and cannot be reaped: they are polled until they are gone.
 */
import { existsSync, readFileSync } from "node:fs";
import * as sys from "../../ffi/sys.ts";
import * as C from "../../ffi/constants.ts";

export type ExitHandler = (exitCode: number | null) => void;

const ECHILD = 10;
const SURVIVOR_POLL_MS = 250;

/** Field 22 of /proc/PID/stat, or null if the process is gone or a zombie. */
export function processStartTime(pid: number): number | null {
  const path = `/proc/${pid}/stat`;
  if (!existsSync(path)) return null;
  try {
    const stat = readFileSync(path, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z" || fields[0] === "X") return null;
    return Number(fields[19]);
  } catch {
    return null;
  }
}

export class Reaper {
  readonly #children = new Map<number, ExitHandler>();
  readonly #survivors = new Map<number, { startTime: number; onExit: ExitHandler }>();
  #pollTimer: Timer | undefined;

  enable(): void {
    sys.prctl(C.PR_SET_CHILD_SUBREAPER, 1);
    process.on("SIGCHLD", () => this.sweep());
  }

  /** Watches an init this daemon adopted; `onExit` gets its exit code (128+signal when killed). */
  watchChild(pid: number, onExit: ExitHandler): void {
    this.#children.set(pid, onExit);
    this.sweep(); // it may have exited before we started watching
  }

  /** Watches an init a previous daemon started; its exit status is lost to us, so `onExit` gets null. */
  watchSurvivor(pid: number, startTime: number, onExit: ExitHandler): void {
    this.#survivors.set(pid, { startTime, onExit });
    this.#pollTimer ??= setInterval(() => this.#pollSurvivors(), SURVIVOR_POLL_MS);
  }

  /** Reaps one exited child now (a failed start's init), without telling anyone. */
  reapNow(pid: number): void {
    try {
      sys.reapIfExited(pid);
    } catch {
      // Already reaped or never ours.
    }
  }

  sweep(): void {
    for (const [pid, onExit] of this.#children) {
      let exit;
      try {
        exit = sys.reapIfExited(pid);
      } catch (err) {
        if (err instanceof sys.SyscallError && err.errno === ECHILD) {
          this.#children.delete(pid);
          onExit(null);
        }
        continue;
      }
      if (exit) {
        this.#children.delete(pid);
        onExit(exit.exitCode);
      }
    }
  }

  #pollSurvivors(): void {
    for (const [pid, { startTime, onExit }] of this.#survivors) {
      if (processStartTime(pid) !== startTime) {
        this.#survivors.delete(pid);
        onExit(null);
      }
    }
    if (this.#survivors.size === 0) {
      clearInterval(this.#pollTimer);
      this.#pollTimer = undefined;
    }
  }
}
