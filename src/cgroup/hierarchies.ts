/**
 * The cgroup hierarchies this host has mounted, read from /proc/self/mountinfo: on cgroup v1
 * one per controller group (cpu, cpuacct, cpuset, memory, devices, freezer, blkio, pids,
 * net_cls,net_prio, perf_event, hugetlb, name=systemd…) and, on a hybrid host, the unified
 * one beside them; on cgroup v2 the single unified tree. A container gets a cgroup in every
 * one of them: a hierarchy where it stays in the root is one its root can reach the host's
 * settings through.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";

export interface Hierarchy {
  /** Where the hierarchy is mounted (/sys/fs/cgroup/memory, or /sys/fs/cgroup on v2). */
  mountPoint: string;
  /** Its directory name under /sys/fs/cgroup ("memory", "cpu,cpuacct", "systemd", "unified"). */
  dir: string;
  version: 1 | 2;
  /** The controllers it carries (v1: its mount options' controllers; v2: cgroup.controllers at its root). */
  controllers: string[];
  /** What mounting it again needs as options ("cpu,cpuacct", "name=systemd", "" for cgroup2). */
  mountOptions: string;
}

const V1_NON_CONTROLLER_OPTIONS = new Set(["rw", "ro", "nosuid", "nodev", "noexec", "relatime", "noatime", "clone_children", "xattr", "nsdelegate", "memory_recursiveprot", "favordynmods"]);

/** Parses mountinfo text; `readControllers` gives a v2 root's cgroup.controllers (injected for tests over a fake tree). */
export function parseHierarchies(mountinfo: string, readControllers: (mountPoint: string) => string[]): Hierarchy[] {
  const found: Hierarchy[] = [];
  for (const line of mountinfo.split("\n")) {
    const sep = line.indexOf(" - ");
    if (sep < 0) continue;
    const fields = line.slice(0, sep).split(" ");
    const [fstype, , superOptions = ""] = line.slice(sep + 3).split(" ");
    // Only a hierarchy's root mount: a bind of a sub-cgroup (field 4 not "/") is a view, not the hierarchy.
    if ((fstype !== "cgroup" && fstype !== "cgroup2") || fields[3] !== "/") continue;
    const mountPoint = fields[4];
    if (found.some((h) => h.mountPoint === mountPoint)) continue;
    if (fstype === "cgroup2") {
      found.push({ mountPoint, dir: basename(mountPoint), version: 2, controllers: readControllers(mountPoint), mountOptions: "" });
    } else {
      const options = superOptions.split(",").filter((o) => !V1_NON_CONTROLLER_OPTIONS.has(o) && !o.startsWith("release_agent="));
      found.push({ mountPoint, dir: basename(mountPoint), version: 1, controllers: options.filter((o) => !o.startsWith("name=")), mountOptions: options.join(",") });
    }
  }
  return found;
}

let cached: Hierarchy[] | undefined;

/** This host's hierarchies; they do not change while the daemon runs. */
export function hostHierarchies(): Hierarchy[] {
  cached ??= parseHierarchies(readFileSync("/proc/self/mountinfo", "utf8"), (mountPoint) => {
    try {
      return readFileSync(`${mountPoint}/cgroup.controllers`, "utf8").trim().split(/\s+/).filter(Boolean);
    } catch {
      return [];
    }
  });
  return cached;
}

/** True on a v2-only host (Ubuntu 22.04 and later): one tree, where the controllers live. */
export function isUnifiedOnly(hierarchies: Hierarchy[]): boolean {
  return hierarchies.length > 0 && hierarchies.every((h) => h.version === 2);
}
