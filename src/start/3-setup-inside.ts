/**
 * Stage 3, part one: PID 1 of the new namespaces configures its network (./network-inside.ts)
 * and sets up the container's filesystem. It
 * mounts the overlay root, the volumes and binds (./mounts.ts), /proc (only a process inside
 * the new PID namespace can mount a /proc that shows it), a minimal /dev and a read-only /sys,
 * binds the generated /etc files, pivots into the root and detaches the host's tree, then
 * masks the kernel files a container has no business reading or writing (not with
 * `--privileged`, which sees /proc and a writable /sys as the host does), writes its sysctls
 * before /proc/sys goes read-only, and last makes the root read-only with `--read-only`.
 */
import { chownSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { SyscallError } from "../../ffi/sys.ts";
import * as C from "../../ffi/constants.ts";
import type { CgroupMount, LaunchDevice, LaunchSpec } from "./spec.ts";
import { cleanComponents, resolveInRoot } from "../archive/scoped-path.ts";
import { kernel, type StageSyscalls } from "./syscalls.ts";
import { MASKED_PATHS, READONLY_PATHS } from "./masked-paths.ts";
import { mountOverlay } from "../image/overlay-mount.ts";
import { applyMounts, bindInRoot, mountTmpfs } from "./mounts.ts";
import { handOverTerminal } from "./console.ts";
import { setupNetwork } from "./network-inside.ts";

const NOSUID_NODEV_NOEXEC = C.MS_NOSUID | C.MS_NODEV | C.MS_NOEXEC;

/** The character devices every container gets: name, major, minor (runc's defaults). */
const DEVICES: [string, number, number][] = [
  ["null", 1, 3],
  ["zero", 1, 5],
  ["full", 1, 7],
  ["random", 1, 8],
  ["urandom", 1, 9],
  ["tty", 5, 0],
];

export function setupInside(spec: LaunchSpec, sys: StageSyscalls = kernel): void {
  setupNetwork(spec.network);
  mountRoot(spec, sys);
  const root = spec.rootfs;
  // Before /proc, /sys and /dev, so no volume or bind can cover what they protect.
  applyMounts(root, spec.mounts);
  for (const tmpfs of spec.tmpfs) mountTmpfs(root, tmpfs.target, tmpfs.options);
  mountAt(sys, root, "/proc", "proc", "proc", NOSUID_NODEV_NOEXEC);
  const sysReadonly = spec.privileged ? 0 : C.MS_RDONLY;
  mountAt(sys, root, "/sys", "sysfs", "sysfs", NOSUID_NODEV_NOEXEC | sysReadonly);
  mountCgroups(sys, root, spec.cgroupMounts, sysReadonly);
  setupDev(sys, root, spec);
  for (const bind of spec.fileBinds) bindInRoot(root, bind.source, bind.target);
  pivotInto(sys, root);
  if (spec.terminal) handOverTerminal();
  sys.sethostname(spec.hostname);
  for (const [key, value] of Object.entries(spec.sysctls)) writeFileSync(`/proc/sys/${key.replaceAll(".", "/")}`, value);
  if (!spec.privileged) {
    for (const path of MASKED_PATHS) mask(sys, path);
    for (const path of READONLY_PATHS) makeReadonly(sys, path);
  }
  // Only the root mount itself: volumes, binds, tmpfs and /dev keep their own flags.
  if (spec.readonlyRootfs) sys.mount(null, "/", null, C.MS_BIND | C.MS_REMOUNT | C.MS_RDONLY);
}

/**
 * In its own cgroup namespace, a hierarchy mounted from inside has the container's cgroup as
 * its root: the container sees its own limits and usage and nothing of the host's cgroups.
 */
function mountCgroups(sys: StageSyscalls, root: string, mounts: CgroupMount[], readonly: number): void {
  if (mounts.length === 0) return;
  if (mounts.length === 1 && mounts[0].dir === "") {
    mountAt(sys, root, "/sys/fs/cgroup", "cgroup2", "cgroup2", NOSUID_NODEV_NOEXEC | readonly);
    return;
  }
  mountAt(sys, root, "/sys/fs/cgroup", "tmpfs", "tmpfs", NOSUID_NODEV_NOEXEC, "mode=755");
  for (const mount of mounts) {
    mountAt(sys, root, `/sys/fs/cgroup/${mount.dir}`, "cgroup", mount.fstype, NOSUID_NODEV_NOEXEC | readonly, mount.options || null);
  }
  if (readonly) sys.mount(null, join(root, "/sys/fs/cgroup"), null, C.MS_REMOUNT | C.MS_RDONLY | NOSUID_NODEV_NOEXEC);
}

/** Also mounts a stopped container's root for `cp` (./rootfs-view.ts), so both see the same tree. */
export function mountRoot(spec: Pick<LaunchSpec, "layersDir" | "lowerDirs" | "upperDir" | "workDir" | "rootfs">, sys: StageSyscalls = kernel): void {
  const options = `lowerdir=${spec.lowerDirs.join(":")},upperdir=${spec.upperDir},workdir=${spec.workDir}`;
  mountOverlay(spec.layersDir, spec.rootfs, options, 0, sys.mount);
}

function ensureDir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}

function mountAt(sys: StageSyscalls, root: string, target: string, source: string, fstype: string, flags: number, data: string | null = null): void {
  sys.mount(source, ensureDir(join(root, target)), fstype, flags, data);
}

function setupDev(sys: StageSyscalls, root: string, spec: Pick<LaunchSpec, "devices" | "shmSize">): void {
  const dev = join(root, "dev");
  mountAt(sys, root, "/dev", "tmpfs", "tmpfs", C.MS_NOSUID | C.MS_STRICTATIME, "mode=755,size=65536k");
  for (const [name, major, minor] of DEVICES) {
    sys.mknod(join(dev, name), C.S_IFCHR | 0o666, major, minor);
  }
  for (const device of spec.devices) makeDevice(sys, root, device);
  mountAt(sys, root, "/dev/pts", "devpts", "devpts", C.MS_NOSUID | C.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5");
  symlinkSync("pts/ptmx", join(dev, "ptmx"));
  mountAt(sys, root, "/dev/shm", "shm", "tmpfs", NOSUID_NODEV_NOEXEC, `mode=1777,size=${spec.shmSize}`);
  mountAt(sys, root, "/dev/mqueue", "mqueue", "mqueue", NOSUID_NODEV_NOEXEC);
  for (const [link, target] of [["fd", "/proc/self/fd"], ["stdin", "/proc/self/fd/0"], ["stdout", "/proc/self/fd/1"], ["stderr", "/proc/self/fd/2"]]) {
    symlinkSync(target, join(dev, link));
  }
}

/** `--device` (or a host device under `--privileged`): the node, with the host's mode and owner; one already there is replaced. */
function makeDevice(sys: StageSyscalls, root: string, device: LaunchDevice): void {
  const path = resolveInRoot(root, cleanComponents(device.path));
  mkdirSync(dirname(path), { recursive: true });
  rmSync(path, { force: true });
  sys.mknod(path, (device.type === "b" ? C.S_IFBLK : C.S_IFCHR) | (device.mode & 0o7777), device.major, device.minor);
  chownSync(path, device.uid, device.gid);
}

/**
 * pivot_root(".", ".") stacks the old root on top of the new one, so no put_old directory
 * is needed; detaching it then leaves only the container's tree (runc's pivotRoot).
 */
function pivotInto(sys: StageSyscalls, root: string): void {
  process.chdir(root);
  sys.pivotRoot(".", ".");
  sys.umount2(".", C.MNT_DETACH);
  process.chdir("/");
}

function mask(sys: StageSyscalls, path: string): void {
  if (!existsSync(path)) return;
  try {
    sys.mount("/dev/null", path, null, C.MS_BIND);
  } catch (err) {
    // A directory cannot take a file bind; an empty read-only tmpfs hides it instead.
    if (!(err instanceof SyscallError) || err.errno !== 20 /* ENOTDIR */) throw err;
    sys.mount("tmpfs", path, "tmpfs", C.MS_RDONLY, null);
  }
}

function makeReadonly(sys: StageSyscalls, path: string): void {
  if (!existsSync(path)) return;
  sys.mount(path, path, null, C.MS_BIND | C.MS_REC);
  sys.mount(null, path, null, C.MS_BIND | C.MS_REMOUNT | C.MS_RDONLY | C.MS_REC);
}
