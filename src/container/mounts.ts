/**
 * A container's mounts, decided at create from `-v /path` and the image's VOLUMEs (new volumes),
 * `-v /host:/path[:ro|rw]` (binds) and `--volumes-from` (another container's mounts, shared).
 * Mounts of other containers come first; a path this container names itself replaces them, and
 * a bind replaces a volume at the same path, as in Docker.
 */
import { posix } from "node:path";
import { InvalidArgumentError } from "../errors.ts";
import type { LaunchMount } from "../start/spec.ts";
import { checkVolumeName, type VolumeStore } from "../volume/store.ts";
import type { ContainerRecord, MountPoint, MountSpec } from "./record.ts";
import { existsSync } from "node:fs";

type Mode = "" | "ro" | "rw";

const KERNEL_TREES = ["/proc", "/sys", "/dev"];

/** Stands for "a new anonymous volume" in a planned mount until the volume is made. */
const ANONYMOUS = "";

export interface MountSources {
  /** The container a `--volumes-from` entry names. */
  container(ref: string): ContainerRecord;
  volumes: VolumeStore;
}

export function planMounts(record: ContainerRecord, sources: MountSources): MountPoint[] {
  const planned = new Map<string, MountPoint | "new volume">();
  for (const spec of record.HostConfig.VolumesFrom ?? []) {
    const { ref, mode } = parseVolumesFrom(spec);
    for (const mount of sources.container(ref).Mounts) planned.set(mount.Destination, withMode(mount, mode));
  }
  for (const path of Object.keys(record.Config.Volumes ?? {})) planned.set(destination(path, path), "new volume");
  const bound = new Set<string>();
  const specs = [...(record.HostConfig.Binds ?? []).map(parseBind), ...(record.HostConfig.Mounts ?? []).flatMap(mountOf)];
  for (const bind of specs) {
    if (bound.has(bind.Destination)) throw new InvalidArgumentError(`Duplicate mount point: ${bind.Destination}`);
    bound.add(bind.Destination);
    planned.set(bind.Destination, bind);
  }
  // Volumes are made only once every entry is known valid, so a rejected create leaves none behind.
  return [...planned].map(([path, mount]) => {
    if (mount === "new volume") return volumeMount(path, sources.volumes);
    if (mount.Type === "volume" && mount.Source === "") {
      return { ...volumeMount(mount.Destination, sources.volumes, mount.Name === ANONYMOUS ? undefined : mount.Name), Mode: mount.Mode, RW: mount.RW };
    }
    return mount;
  });
}

/** What stage 3 mounts: every mount, with the image's content seeded into volumes not yet seeded. */
export function launchMounts(mounts: MountPoint[], volumes: VolumeStore): LaunchMount[] {
  return mounts.map((mount) => ({
    source: mount.Source,
    target: mount.Destination,
    readonly: !mount.RW,
    seed: mount.Type === "volume" && !volumes.get(mount.Name).Seeded,
  }));
}

/** A volume at `path`: a new anonymous one, or the one called `name` (made if it does not exist yet). */
function volumeMount(path: string, volumes: VolumeStore, name?: string): MountPoint {
  const { Name } = volumes.create(name === undefined ? {} : { name });
  return { Type: "volume", Name, Source: volumes.dataPath(Name), Destination: path, Driver: "local", Mode: "", RW: true, Propagation: "" };
}

/** `/host:/container[:ro|rw]` binds a host path; `NAME:/container[:ro|rw]` mounts the volume NAME. */
function parseBind(spec: string): MountPoint {
  const parts = spec.split(":");
  if (parts.length < 2 || parts.length > 3) throw new InvalidArgumentError(`invalid volume specification: '${spec}'`);
  const [host, container, mode = ""] = parts;
  const rw = parseMode(mode, spec);
  const target = destination(container, spec);
  if (!posix.isAbsolute(host)) {
    checkVolumeName(host);
    // Its Source is filled in when the volume is known (planMounts).
    return { Type: "volume", Name: host, Source: "", Destination: target, Driver: "local", Mode: mode, RW: rw, Propagation: "" };
  }
  return { Type: "bind", Source: posix.normalize(host), Destination: target, Mode: mode, RW: rw, Propagation: "" };
}

/**
 * A `--mount` of type bind or volume as a mount point (tmpfs ones are stage 3's, see
 * `tmpfsMounts`). Docker's rules: a bind's source must exist and be absolute; a volume without
 * a source is a new anonymous one.
 */
function mountOf(spec: MountSpec): MountPoint[] {
  if (spec.Type === "tmpfs") {
    destination(spec.Target, spec.Target);
    return [];
  }
  const target = destination(spec.Target, spec.Target);
  const mode = spec.ReadOnly ? "ro" : "";
  const rw = !spec.ReadOnly;
  if (spec.Type === "bind") {
    if (!spec.Source || !posix.isAbsolute(spec.Source)) throw new InvalidArgumentError(`invalid mount config for type "bind": invalid mount path: '${spec.Source ?? ""}' mount path must be absolute`);
    if (!existsSync(spec.Source)) throw new InvalidArgumentError(`invalid mount config for type "bind": bind source path does not exist: ${spec.Source}`);
    return [{ Type: "bind", Source: posix.normalize(spec.Source), Destination: target, Mode: mode, RW: rw, Propagation: "" }];
  }
  if (spec.Source) checkVolumeName(spec.Source);
  // An empty Source is filled in with a new anonymous volume, a name with that volume (planMounts).
  return [{ Type: "volume", Name: spec.Source || ANONYMOUS, Source: "", Destination: target, Driver: "local", Mode: mode, RW: rw, Propagation: "" }];
}

/** `--tmpfs` and `--mount type=tmpfs`, as stage 3 mounts them: path and mount(8) options. */
export function tmpfsMounts(host: { Tmpfs?: Record<string, string>; Mounts?: MountSpec[] }): { target: string; options: string }[] {
  const fromMounts = (host.Mounts ?? [])
    .filter((spec) => spec.Type === "tmpfs")
    .map((spec) => {
      const options = [spec.ReadOnly ? "ro" : "", spec.TmpfsOptions?.SizeBytes ? `size=${spec.TmpfsOptions.SizeBytes}` : "", spec.TmpfsOptions?.Mode ? `mode=${spec.TmpfsOptions.Mode.toString(8)}` : ""];
      return { target: spec.Target, options: options.filter(Boolean).join(",") };
    });
  return [...Object.entries(host.Tmpfs ?? {}).map(([target, options]) => ({ target, options })), ...fromMounts];
}

function parseVolumesFrom(spec: string): { ref: string; mode: Mode } {
  const [ref, mode = "", ...rest] = spec.split(":");
  if (!ref || rest.length > 0) throw new InvalidArgumentError(`invalid volumes-from specification: '${spec}'`);
  parseMode(mode, spec);
  return { ref, mode: mode as Mode };
}

/** A shared mount keeps its own mode unless `--volumes-from CONTAINER:ro|rw` says otherwise. */
function withMode(mount: MountPoint, mode: Mode): MountPoint {
  return mode === "" ? mount : { ...mount, Mode: mode, RW: mode === "rw" };
}

function parseMode(mode: string, spec: string): boolean {
  if (mode !== "" && mode !== "ro" && mode !== "rw") throw new InvalidArgumentError(`invalid mode: ${mode} in '${spec}'`);
  return mode !== "ro";
}

/**
 * A mount's path inside the container, normalized. Not "/", which would hide the whole root, and
 * not in /proc, /sys or /dev: stage 3 mounts the container's own over user mounts, so a mount
 * there would silently vanish.
 */
function destination(path: string, spec: string): string {
  if (!posix.isAbsolute(path)) throw new InvalidArgumentError(`invalid volume specification: '${spec}': mount path must be absolute`);
  const normalized = posix.normalize(path).replace(/(.)\/+$/, "$1");
  if (normalized === "/") throw new InvalidArgumentError(`invalid volume specification: '${spec}': destination can't be '/'`);
  const top = `/${normalized.split("/")[1]}`;
  if (KERNEL_TREES.includes(top)) throw new InvalidArgumentError(`invalid volume specification: '${spec}': cannot mount in ${top}`);
  return normalized;
}
