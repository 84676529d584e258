/**
 * Freezing a container's processes (the freezer cgroup), so nothing inside can change its
 * filesystem while the daemon works on it from the host: `cp` resolves paths with lstat and
 * then uses them, and a process swapping a directory for a symlink in between is exactly how
 * CVE-2018-15664 escaped. Docker answered that CVE the same way, by pausing during `cp`.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConflictError } from "../errors.ts";
import { cgroupDirs } from "./cgroups.ts";

const POLL_MS = 5;
const FREEZE_TIMEOUT_MS = 10_000;

/** Freezes every process of the container; resolves once all are frozen, with the function that thaws them. */
export async function freezeContainer(id: string): Promise<() => void> {
  const v1 = cgroupDirs(id).find((dir) => dir.includes("/freezer/"));
  const v2 = cgroupDirs(id).find((dir) => existsSync(join(dir, "cgroup.freeze")));
  if (v1 !== undefined && existsSync(v1)) {
    const state = join(v1, "freezer.state");
    writeFileSync(state, "FROZEN");
    await until(() => readFileSync(state, "utf8").trim() === "FROZEN", id, () => writeFileSync(state, "THAWED"));
    return () => writeFileSync(state, "THAWED");
  }
  if (v2 !== undefined) {
    writeFileSync(join(v2, "cgroup.freeze"), "1");
    await until(() => /^frozen 1$/m.test(readFileSync(join(v2, "cgroup.events"), "utf8")), id, () => writeFileSync(join(v2, "cgroup.freeze"), "0"));
    return () => writeFileSync(join(v2, "cgroup.freeze"), "0");
  }
  throw new ConflictError(`container ${id} has no freezer cgroup: its files cannot be copied safely while it runs`);
}

/** Freezing waits for tasks in uninterruptible sleep; give up rather than hang the request. */
async function until(frozen: () => boolean, id: string, thaw: () => void): Promise<void> {
  const deadline = Date.now() + FREEZE_TIMEOUT_MS;
  while (!frozen()) {
    if (Date.now() > deadline) {
      thaw();
      throw new ConflictError(`container ${id} could not be frozen within ${FREEZE_TIMEOUT_MS / 1000} s`);
    }
    await Bun.sleep(POLL_MS);
  }
}
