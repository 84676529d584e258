/** The daemon's pidfile: refuse to start beside a live daemon, replace a stale file, remove it on exit. */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ConflictError } from "../src/errors.ts";
import { writeFileAtomic } from "../src/util/atomic-write.ts";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function claimPidfile(path: string): void {
  if (existsSync(path)) {
    const pid = Number(readFileSync(path, "utf8").trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new ConflictError(`pid file found, ensure bunker is not running or delete ${path} (pid ${pid} is alive)`);
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, `${process.pid}\n`);
}

export function releasePidfile(path: string): void {
  try {
    if (readFileSync(path, "utf8").trim() === String(process.pid)) rmSync(path);
  } catch {
    // Already gone.
  }
}
