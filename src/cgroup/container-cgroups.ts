/**
 * A container's cgroups: one directory `<parent>/<id>` in every hierarchy the host has
 * mounted (./hierarchies.ts), created with its limits and device rules before stage 2
 * joins them, changed by `update`, read by `stats` and at exit (was it killed for memory?),
 * and removed with every cgroup the container made inside them. Paths are kept relative
 * (`bunker/<id>`), the same in every hierarchy.
 */
import { closeSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { hostHierarchies, isUnifiedOnly, type Hierarchy } from "./hierarchies.ts";
import type { Resources } from "./resources.ts";
import { v1Settings, v2Settings, type Setting } from "./settings.ts";
import { DEFAULT_DEVICE_RULES, type DeviceRule } from "./device-rules.ts";
import type { CgroupMount } from "../start/spec.ts";
import { splitDeviceNumber } from "../util/device-number.ts";
import { attachDeviceProgram, loadDeviceProgram } from "../../ffi/bpf.ts";
import { deviceProgram } from "./device-program.ts";

/** The controllers a v2 container cgroup gets enabled, where the host has them. */
const V2_CONTROLLERS = ["cpuset", "cpu", "io", "memory", "pids", "hugetlb"];

/** Puts device rules on a cgroup v2 directory: by default, as an eBPF program (./device-program.ts). */
export type DeviceGate = (cgroupDir: string, rules: DeviceRule[]) => void;

/** Loaded programs by their rules: nearly every container has the default rules, verified once. */
const loadedPrograms = new Map<string, number>();
const LOADED_PROGRAMS_KEPT = 16;

const ebpfGate: DeviceGate = (dir, rules) => {
  const key = JSON.stringify(rules);
  let fd = loadedPrograms.get(key);
  if (fd === undefined) {
    fd = loadDeviceProgram(deviceProgram(rules));
    if (loadedPrograms.size >= LOADED_PROGRAMS_KEPT) {
      const [oldestKey, oldestFd] = loadedPrograms.entries().next().value!;
      loadedPrograms.delete(oldestKey);
      closeSync(oldestFd); // the cgroups it is attached to keep it
    }
    loadedPrograms.set(key, fd);
  }
  attachDeviceProgram(dir, fd);
};

export class ContainerCgroups {
  constructor(
    /** The daemon's `--cgroup-parent`: where new containers' cgroups go. */
    readonly parent = "bunker",
    private readonly hierarchies: Hierarchy[] = hostHierarchies(),
    private readonly deviceGate: DeviceGate = ebpfGate,
  ) {}

  /** `<parent>/<id>`: the container's own `--cgroup-parent` (checked at create), else the daemon's. */
  pathFor(id: string, parent = ""): string {
    return join(parent.replace(/^\/+/, "") || this.parent, id);
  }

  /** The container's directory in each hierarchy. */
  dirs(path: string): string[] {
    return this.hierarchies.map((h) => join(h.mountPoint, path));
  }

  /** The directory holding `controller`'s files: its v1 hierarchy's, or the unified one on v2. */
  dirOf(path: string, controller: string): string | undefined {
    const hierarchy = this.#hierarchyOf(controller);
    return hierarchy && join(hierarchy.mountPoint, path);
  }

  get version(): 1 | 2 {
    return isUnifiedOnly(this.hierarchies) ? 2 : 1;
  }

  /** Creates the cgroups with their limits and device rules ("all" for --privileged); returns the `cgroup.procs` files to join. */
  create(path: string, resources: Resources, devices: DeviceRule[] | "all"): string[] {
    for (const hierarchy of this.hierarchies) {
      const dir = join(hierarchy.mountPoint, path);
      if (hierarchy.version === 2 && hierarchy.controllers.length > 0) enableControllers(hierarchy, path);
      if (hierarchy.controllers.includes("cpuset")) prepareCpusetParents(hierarchy.mountPoint, path);
      mkdirSync(dir, { recursive: true });
      if (hierarchy.version === 1 && hierarchy.controllers.includes("devices")) writeDeviceRules(dir, devices);
      // A hybrid host's v1 devices controller enforces the rules; only a v2-only host needs the program.
      if (hierarchy.version === 2 && this.version === 2 && devices !== "all") this.#gateDevices(dir, devices);
    }
    this.update(path, resources);
    return this.dirs(path).map((dir) => join(dir, "cgroup.procs"));
  }

  /** On v2 the device rules can only be an eBPF program; without it a container could open the host's disks. */
  #gateDevices(dir: string, devices: DeviceRule[]): void {
    try {
      this.deviceGate(dir, [...DEFAULT_DEVICE_RULES, ...devices]);
    } catch (err) {
      throw new Error(`cannot put the device rules on ${dir}: ${(err as Error).message}`);
    }
  }

  /** Writes the limits of `resources` (at create, and on `update` of a running container). */
  update(path: string, resources: Resources): void {
    for (const setting of this.settings(resources, path)) this.#write(path, setting);
  }

  settings(resources: Resources, path: string): Setting[] {
    if (this.version === 2) return v2Settings(resources, deviceNumber);
    return v1Settings(resources, deviceNumber, (controller, file) => {
      const dir = this.dirOf(path, controller);
      return dir !== undefined && existsSync(join(dir, file));
    });
  }

  #write(path: string, setting: Setting): void {
    const dir = this.dirOf(path, setting.controller);
    if (dir === undefined) return; // the host has no such controller: as runc, the limit is not applied
    const file = join(dir, setting.file);
    try {
      writeFileSync(file, setting.value);
    } catch (err) {
      // The kernel keeps memsw at or above the memory limit: raising memory past the old memsw
      // needs memsw raised first (the memsw setting that follows then puts its own value).
      const memsw = join(dir, "memory.memsw.limit_in_bytes");
      if (setting.file === "memory.limit_in_bytes" && existsSync(memsw)) {
        writeFileSync(memsw, setting.value);
        writeFileSync(file, setting.value);
        return;
      }
      throw new Error(`cannot set ${setting.file} to ${setting.value}: ${(err as Error).message}`);
    }
  }

  /** Every process in the container's cgroups, its own child cgroups included (nothing it starts can leave them). */
  pids(path: string): Set<number> {
    const pids = new Set<number>();
    const walk = (dir: string) => {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const pid of readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean)) pids.add(Number(pid));
      for (const entry of entries) if (entry.isDirectory()) walk(join(dir, entry.name));
    };
    const dir = this.dirOf(path, "pids") ?? this.dirs(path)[0];
    if (dir !== undefined) walk(dir);
    return pids;
  }

  /** Did the kernel's OOM killer kill a process of this container? Read before the cgroups go. */
  oomKilled(path: string): boolean {
    const dir = this.dirOf(path, "memory");
    if (dir === undefined) return false;
    const file = this.version === 2 ? "memory.events" : "memory.oom_control";
    try {
      return Number(/^oom_kill (\d+)$/m.exec(readFileSync(join(dir, file), "utf8"))?.[1] ?? 0) > 0;
    } catch {
      return false;
    }
  }

  /** The hierarchies as a private cgroup namespace mounts them under /sys/fs/cgroup (on v2 the one tree is /sys/fs/cgroup itself: dir ""). */
  mounts(): CgroupMount[] {
    if (this.version === 2) return [{ dir: "", fstype: "cgroup2", options: "" }];
    return this.hierarchies.map((h) => ({ dir: h.dir, fstype: h.version === 2 ? "cgroup2" : "cgroup", options: h.mountOptions }));
  }

  /**
   * Removes the container's cgroups with every cgroup the container made inside them, in every
   * hierarchy; they are empty of processes once its init has been reaped. A cgroup directory
   * can only be rmdir'ed, and only once it has no children: deepest first.
   */
  remove(path: string): void {
    for (const dir of this.dirs(path)) removeTree(dir);
  }

  /** At daemon start: removes every container cgroup under the parent that belongs to no container in `keep`. */
  sweep(keep: Set<string>): void {
    for (const parent of this.dirs(this.parent)) {
      let entries;
      try {
        entries = readdirSync(parent, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) if (entry.isDirectory() && !keep.has(entry.name)) removeTree(join(parent, entry.name));
    }
  }

  #hierarchyOf(controller: string): Hierarchy | undefined {
    if (this.version === 2) return this.hierarchies[0];
    return this.hierarchies.find((h) => h.version === 1 && h.controllers.includes(controller));
  }
}

/** A block device's "major:minor", as the throttle files want it. */
function deviceNumber(path: string): string {
  const { major, minor } = splitDeviceNumber(statSync(path, { bigint: true }).rdev);
  return `${major}:${minor}`;
}

/**
 * A new v1 cpuset cgroup has no CPUs or memory nodes, and joining it fails. The parents get
 * their parent's once; `cgroup.clone_children` on the container's parent makes the kernel
 * copy them into each new container cgroup at mkdir, at no cost per start.
 */
function prepareCpusetParents(mountPoint: string, path: string): void {
  let dir = mountPoint;
  const parents = path.split("/").filter(Boolean).slice(0, -1);
  for (const part of parents) {
    const child = join(dir, part);
    mkdirSync(child, { recursive: true });
    for (const file of ["cpuset.cpus", "cpuset.mems"]) {
      const target = join(child, file);
      if (readFileSync(target, "utf8").trim() === "") writeFileSync(target, readFileSync(join(dir, file), "utf8").trim());
    }
    dir = child;
  }
  const clone = join(dir, "cgroup.clone_children");
  if (readFileSync(clone, "utf8").trim() !== "1") writeFileSync(clone, "1");
}

/** On v2, a controller works in a cgroup only once every ancestor enables it for its children. */
function enableControllers(hierarchy: Hierarchy, path: string): void {
  const wanted = V2_CONTROLLERS.filter((c) => hierarchy.controllers.includes(c));
  let dir = hierarchy.mountPoint;
  for (const part of dirname(path).split("/").filter((p) => p && p !== ".")) {
    writeFileSync(join(dir, "cgroup.subtree_control"), wanted.map((c) => `+${c}`).join(" "));
    dir = join(dir, part);
    mkdirSync(dir, { recursive: true });
  }
  writeFileSync(join(dir, "cgroup.subtree_control"), wanted.map((c) => `+${c}`).join(" "));
}

/** The devices controller keeps a container's root, which holds CAP_MKNOD, from opening the host's disks through a node it makes. */
function writeDeviceRules(dir: string, devices: DeviceRule[] | "all"): void {
  if (devices === "all") {
    writeFileSync(join(dir, "devices.allow"), "a");
    return;
  }
  writeFileSync(join(dir, "devices.deny"), "a");
  for (const rule of [...DEFAULT_DEVICE_RULES, ...devices]) writeFileSync(join(dir, "devices.allow"), `${rule.type} ${rule.major}:${rule.minor} ${rule.access}`);
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
