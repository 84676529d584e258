/**
 * One cgroup per container and controller, `<controller>/bunker/<id>`. Stage 2 joins them
 * before it creates the namespaces, so nothing the container starts escapes them. The
 * devices controller is what keeps a container's root, which holds CAP_MKNOD, from opening
 * the host's disks through a device node it makes.
 */
import { existsSync, mkdirSync, readdirSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const CGROUP_ROOT = "/sys/fs/cgroup";
const V1_CONTROLLERS = ["devices", "pids", "memory", "cpu", "freezer"];

/** runc's default device rules: make any node, use only the harmless ones. */
const ALLOWED_DEVICES = [
  "c *:* m", "b *:* m",
  "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
  "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm",
];

function isUnified(): boolean {
  return existsSync(join(CGROUP_ROOT, "cgroup.controllers"));
}

/** The `bunker/` parent in each hierarchy this host has: the unified one, or each v1 controller's. */
function bunkerParents(): string[] {
  const roots = isUnified() ? [CGROUP_ROOT] : V1_CONTROLLERS.map((c) => join(CGROUP_ROOT, c)).filter(existsSync);
  return roots.map((root) => join(root, "bunker"));
}

export function cgroupDirs(id: string): string[] {
  return bunkerParents().map((parent) => join(parent, id));
}

/** Creates the container's cgroups and returns the `cgroup.procs` files to join. */
export function createCgroups(id: string): string[] {
  const dirs = cgroupDirs(id);
  for (const dir of dirs) {
    mkdirSync(dir, { recursive: true });
    if (dir.includes("/devices/")) {
      writeFileSync(join(dir, "devices.deny"), "a");
      for (const rule of ALLOWED_DEVICES) writeFileSync(join(dir, "devices.allow"), rule);
    }
  }
  return dirs.map((dir) => join(dir, "cgroup.procs"));
}

/**
 * Removes the container's cgroups with every cgroup the container made inside them, in every
 * hierarchy; they are empty of processes once its init has been reaped. A cgroup directory
 * can only be rmdir'ed, and only once it has no children: deepest first.
 */
export function removeCgroups(id: string): void {
  for (const dir of cgroupDirs(id)) removeTree(dir);
}

function removeTree(dir: string): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // already gone
  }
  for (const entry of entries) if (entry.isDirectory()) removeTree(join(dir, entry.name));
  try {
    rmdirSync(dir);
  } catch {
    // Still busy (a process in D state): the next daemon start's sweep retries.
  }
}

/** At daemon start: removes every cgroup under `bunker/` that belongs to no container in `keep`. */
export function sweepCgroups(keep: Set<string>): void {
  for (const parent of bunkerParents()) {
    let entries;
    try {
      entries = readdirSync(parent, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) if (entry.isDirectory() && !keep.has(entry.name)) removeTree(join(parent, entry.name));
  }
}
