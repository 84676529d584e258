/**
 * Freezing a container's processes through its freezer cgroup (v1 `freezer.state`, v2
 * `cgroup.freeze`): `pause` and `unpause`, and briefly while the daemon works on a running
 * container's files from the host. `cp` resolves paths with lstat and then uses them, and a
 * process swapping a directory for a symlink in between is exactly how CVE-2018-15664
 * escaped; Docker answered that CVE the same way, by pausing during `cp`.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConflictError } from "../errors.ts";
import type { ContainerCgroups } from "../cgroup/container-cgroups.ts";

const POLL_MS = 5;
const FREEZE_TIMEOUT_MS = 10_000;

interface FreezerFiles {
  set(frozen: boolean): void;
  isFrozen(): boolean;
}

function freezerOf(cgroups: ContainerCgroups, path: string, id: string): FreezerFiles {
  if (cgroups.version === 1) {
    const dir = cgroups.dirOf(path, "freezer");
    if (dir !== undefined && existsSync(dir)) {
      const state = join(dir, "freezer.state");
      return { set: (frozen) => writeFileSync(state, frozen ? "FROZEN" : "THAWED"), isFrozen: () => readFileSync(state, "utf8").trim() === "FROZEN" };
    }
  } else {
    const dir = cgroups.dirOf(path, "freezer");
    if (dir !== undefined && existsSync(join(dir, "cgroup.freeze"))) {
      return {
        set: (frozen) => writeFileSync(join(dir, "cgroup.freeze"), frozen ? "1" : "0"),
        isFrozen: () => /^frozen 1$/m.test(readFileSync(join(dir, "cgroup.events"), "utf8")),
      };
    }
  }
  throw new ConflictError(`container ${id} has no freezer cgroup`);
}

/** Freezes every process of the container; resolves once all are frozen. */
export async function freeze(cgroups: ContainerCgroups, path: string, id: string): Promise<void> {
  const freezer = freezerOf(cgroups, path, id);
  freezer.set(true);
  // Freezing waits for tasks in uninterruptible sleep; give up rather than hang the request.
  const deadline = Date.now() + FREEZE_TIMEOUT_MS;
  while (!freezer.isFrozen()) {
    if (Date.now() > deadline) {
      freezer.set(false);
      throw new ConflictError(`container ${id} could not be frozen within ${FREEZE_TIMEOUT_MS / 1000} s`);
    }
    await Bun.sleep(POLL_MS);
  }
}

export function thaw(cgroups: ContainerCgroups, path: string, id: string): void {
  freezerOf(cgroups, path, id).set(false);
}
