/**
 * Docker's init layer: a small read-only layer between a container's image and its writable
 * layer, holding what every container has whatever its image: `/.dockerenv` (which many scripts
 * test for), `/etc/mtab` as a link to `/proc/mounts`, `/dev/console`, and the mount points of
 * the files and filesystems stage 3 mounts. Being a layer of its own it shows in export and
 * archive but not in diff or commit, as with Docker. Its `/etc` entries are left out of an image
 * whose `/etc` is not a directory: a directory here would hide the image's link.
 */
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mountLowers, type LayerStore } from "../image/layer-store.ts";

const FILES = [".dockerenv", "dev/console"];
const ETC_FILES = ["etc/hostname", "etc/hosts", "etc/resolv.conf"];
const DIRS = ["dev/pts", "dev/shm", "proc", "sys"];

/** The container's init layer, made once (by temp dir and rename, so a crash leaves none half-made). */
function ensureInitLayer(containerDir: string, imageHasEtcDir: () => boolean): string {
  const dir = join(containerDir, "init");
  if (existsSync(dir)) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  for (const sub of DIRS) mkdirSync(join(tmp, sub), { recursive: true, mode: 0o755 });
  for (const file of FILES) writeFileSync(join(tmp, file), "", { mode: 0o755 });
  if (imageHasEtcDir()) {
    mkdirSync(join(tmp, "etc"), { mode: 0o755 });
    for (const file of ETC_FILES) writeFileSync(join(tmp, file), "", { mode: 0o755 });
    symlinkSync("/proc/mounts", join(tmp, "etc/mtab"));
  }
  renameSync(tmp, dir);
  return dir;
}

/** The init layer over `diffIds` followed by their mount names: a container's lower dirs, top first. */
export function containerLowers(containerDir: string, layers: LayerStore, diffIds: string[]): string[] {
  // The image's /etc is looked at once, when the layer is made, not on every start.
  return [ensureInitLayer(containerDir, () => layers.directoryOrAbsent(diffIds, "etc")), ...mountLowers(diffIds)];
}
