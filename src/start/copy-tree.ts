/**
 * Seeds a new volume: copies a directory tree from the container's root into the volume's data
 * directory, keeping modes, owners, timestamps and symlinks as they are. Nothing is followed:
 * a symlink is copied as a symlink, so an image cannot make the copy read outside its root.
 * Hard links become separate files, and sockets and device nodes are left out: a socket belongs
 * to a process that is not there, and a device node would be usable only where the devices
 * cgroup allows it anyway.
 */
import { chmodSync, constants, copyFileSync, lchownSync, lstatSync, lutimesSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, type Stats } from "node:fs";
import { join } from "node:path";
import * as sys from "../../ffi/sys.ts";

/** Copies the entries of directory `source` into the existing directory `target`, then its owner, mode and times. */
export function copyTree(source: string, target: string): void {
  for (const name of readdirSync(source)) copyEntry(join(source, name), join(target, name));
  copyAttributes(lstatSync(source), target);
}

function copyEntry(source: string, target: string): void {
  const stat = lstatSync(source);
  if (stat.isDirectory()) {
    mkdirSync(target, { mode: 0o700 });
    copyTree(source, target);
    return;
  }
  if (stat.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
  // EXCL: never write through something already at the target.
  else if (stat.isFile()) copyFileSync(source, target, constants.COPYFILE_EXCL);
  else if (stat.isFIFO()) sys.mkfifo(target, stat.mode & 0o7777);
  else return;
  copyAttributes(stat, target);
}

function copyAttributes(stat: Stats, target: string): void {
  lchownSync(target, stat.uid, stat.gid);
  // After the chown, which clears set-user-ID and set-group-ID bits. A symlink has no mode of its own.
  if (!stat.isSymbolicLink()) chmodSync(target, stat.mode & 0o7777);
  lutimesSync(target, stat.atime, stat.mtime);
}
