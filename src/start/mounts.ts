/**
 * Stage 3: volumes and binds. The image decides what the container paths are made of, and a
 * hostile image can make `/data` a symlink to `/` or `../../..`, so a target is resolved inside
 * the rootfs as if it were "/" (the same resolver that extracts layers), and the mount goes
 * through a descriptor of the resolved path whose real location is checked to be inside the
 * rootfs first: what the mount lands on is what was checked, even if a path component changed
 * in between (a volume shared with a running container can change under us).
 */
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, realpathSync, statSync, constants } from "node:fs";
import { dirname } from "node:path";
import * as sys from "../../ffi/sys.ts";
import * as C from "../../ffi/constants.ts";
import { cleanComponents, resolveInRoot } from "../archive/scoped-path.ts";
import { copyTree } from "./copy-tree.ts";
import type { LaunchMount } from "./spec.ts";

/**
 * Seeds, then mounts, `mounts` (parents first) under `rootfs`, where the overlay root is already
 * mounted. Seeding reads the merged overlay here, inside the container's mount namespace, so
 * whiteouts, opaque directories and the container's own changes count exactly as the kernel
 * sees them, rather than by walking the layers again on the host. All seeding happens before
 * the first mount, so each copy reads the image and not another volume.
 */
export function applyMounts(rootfs: string, mounts: LaunchMount[]): void {
  const root = realpathSync(rootfs);
  for (const mount of mounts) if (mount.seed) seed(root, mount);
  for (const mount of mounts) bind(root, mount.source, mount.target, mount.readonly);
}

/** Binds host file or directory `source` at container path `target` under `rootfs`. */
export function bindInRoot(rootfs: string, source: string, target: string): void {
  bind(realpathSync(rootfs), source, target, false);
}

const MOUNT_FLAGS: Record<string, [set: number, clear: number]> = {
  ro: [C.MS_RDONLY, 0], rw: [0, C.MS_RDONLY],
  nosuid: [C.MS_NOSUID, 0], suid: [0, C.MS_NOSUID],
  nodev: [C.MS_NODEV, 0], dev: [0, C.MS_NODEV],
  noexec: [C.MS_NOEXEC, 0], exec: [0, C.MS_NOEXEC],
};

/**
 * `--tmpfs PATH[:OPTS]`: a tmpfs at container path `target`, mount(8)-style options split into
 * flags and data. Docker's defaults come first (noexec, nosuid, nodev), so the user's win.
 */
export function mountTmpfs(rootfs: string, target: string, options: string): void {
  const root = realpathSync(rootfs);
  let flags = C.MS_NOEXEC | C.MS_NOSUID | C.MS_NODEV;
  const data: string[] = [];
  for (const option of options.split(",").filter(Boolean)) {
    const flag = MOUNT_FLAGS[option];
    if (flag) flags = (flags | flag[0]) & ~flag[1];
    else data.push(option);
  }
  const path = resolveInRoot(root, cleanComponents(target));
  mkdirSync(path, { recursive: true });
  throughCheckedPath(root, path, target, (fdPath) => sys.mount("tmpfs", fdPath, "tmpfs", flags, data.join(",") || null));
}

/** Copies the image's directory at the mount's target into a volume still empty. */
function seed(root: string, mount: LaunchMount): void {
  const image = resolveInRoot(root, cleanComponents(mount.target));
  if (!lstatSync(image, { throwIfNoEntry: false })?.isDirectory()) return;
  if (readdirSync(mount.source).length > 0) return;
  copyTree(image, mount.source);
}

/**
 * Bind-mounts host path `source` at container path `target` (recursively, as Docker's binds),
 * creating the target as a directory or an empty file to match the source.
 */
function bind(root: string, source: string, target: string, readonly: boolean): void {
  const path = resolveInRoot(root, cleanComponents(target));
  if (statSync(source).isDirectory()) {
    mkdirSync(path, { recursive: true });
  } else {
    mkdirSync(dirname(path), { recursive: true });
    createMountPointFile(path, target);
  }
  throughCheckedPath(root, path, target, (fdPath) => sys.mount(source, fdPath, null, C.MS_BIND | C.MS_REC));
  // A bind takes the flags of its source; read-only takes a remount of the new mount, reached by a new lookup.
  if (readonly) throughCheckedPath(root, path, target, (fdPath) => sys.mount(null, fdPath, null, C.MS_BIND | C.MS_REMOUNT | C.MS_RDONLY));
}

/**
 * An empty file to mount over, made only if there is none: opening an existing lower file for
 * writing would copy it up into the container's writable layer (and into its diff). O_EXCL
 * never follows a symlink; one found there is refused, never written or mounted through.
 */
function createMountPointFile(path: string, target: string): void {
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    if (!lstatSync(path).isFile()) throw new Error(`mount target ${target} is not a regular file in the container`);
  }
}

function throughCheckedPath(root: string, path: string, target: string, use: (fdPath: string) => void): void {
  const fd = openSync(path, C.O_PATH | C.O_CLOEXEC | constants.O_NOFOLLOW);
  try {
    const fdPath = `/proc/self/fd/${fd}`;
    const real = readlinkSync(fdPath);
    // Strictly below the root: a mount over the root itself would replace the whole image.
    if (!real.startsWith(`${root}/`)) throw new Error(`mount target ${target} resolves outside the container's root (${real})`);
    use(fdPath);
  } finally {
    closeSync(fd);
  }
}
