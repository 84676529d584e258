/**
 * Docker's init layer: a small read-only layer between a container's image and its writable
 * layer, holding what every container has whatever its image: `/.dockerenv` (which many scripts
 * test for), `/etc/mtab` as a link to `/proc/mounts`, `/dev/console`, and the mount points of
 * the files and filesystems stage 3 mounts. Being a layer of its own it shows in export and
 * archive but not in diff or commit, as with Docker.
 */
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const FILES = [".dockerenv", "etc/hostname", "etc/hosts", "etc/resolv.conf", "dev/console"];
const DIRS = ["dev/pts", "dev/shm", "proc", "sys"];

/** The container's init layer, made once (by temp dir and rename, so a crash leaves none half-made). */
export function ensureInitLayer(containerDir: string): string {
  const dir = join(containerDir, "init");
  if (existsSync(dir)) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  for (const sub of ["etc", ...DIRS]) mkdirSync(join(tmp, sub), { recursive: true, mode: 0o755 });
  for (const file of FILES) writeFileSync(join(tmp, file), "", { mode: 0o755 });
  symlinkSync("/proc/mounts", join(tmp, "etc/mtab"));
  renameSync(tmp, dir);
  return dir;
}
