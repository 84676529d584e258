/**
 * `diff`: what a container changed, read from its overlay upper dir against the merged view
 * of its image's layers (the "lower" tree). In the upper dir a 0:0 character device is a
 * deletion, and an opaque directory was deleted and made again: what the lower tree had in it
 * and the upper one lacks is deleted too. Every directory above a change is listed as changed
 * (Docker prints `C /tmp` before `A /tmp/new`). Order is Docker's walk: a directory before
 * its contents, the contents in name order, an opaque directory's deletions after them. The
 * walk is asynchronous: a container that wrote many files must not stall the daemon.
 */
import { lstat, readdir } from "node:fs/promises";
import type { Stats } from "node:fs";
import { join } from "node:path";
import { isOpaque, isWhiteout } from "../archive/pack-tree.ts";

export enum ChangeKind {
  Modify = 0,
  Add = 1,
  Delete = 2,
}

export interface Change {
  Path: string;
  Kind: ChangeKind;
}

/** Empty files stage 3 creates to bind the generated /etc files on, when the image lacks them. */
const MOUNT_POINT_FILES = ["/etc/hostname", "/etc/hosts", "/etc/resolv.conf"];
/** Empty directories stage 3 creates to mount /proc, /sys and /dev on, when the image lacks them. */
const MOUNT_POINT_DIRS = ["/proc", "/sys", "/dev"];

/**
 * The paths in the upper dir that are only bunker's mount points: not the user's changes, so
 * diff and commit leave them out (Docker keeps its equivalents in a layer of their own).
 */
export async function bunkerMountPoints(upperRoot: string, lowerRoot: string): Promise<Set<string>> {
  const made = new Set<string>();
  for (const path of MOUNT_POINT_FILES) {
    const upper = await statInTree(upperRoot, path);
    if (upper?.isFile() && upper.size === 0 && !(await statInTree(lowerRoot, path))) made.add(path);
  }
  for (const path of [...MOUNT_POINT_DIRS, "/etc"]) {
    const upper = await statInTree(upperRoot, path);
    if (!upper?.isDirectory() || (await statInTree(lowerRoot, path))) continue;
    // A directory made only to hold mount points ("/etc" for an image without one) goes with them.
    if ((await readdir(join(upperRoot, path))).every((name) => made.has(`${path}/${name}`))) made.add(path);
  }
  return made;
}

export function containerChanges(upperRoot: string, lowerRoot: string, skip: Set<string>): Promise<Change[]> {
  return new DiffWalk(upperRoot, lowerRoot, skip).directory("", true, false);
}

/** lstat, or undefined for a path that does not exist. */
async function lstatIfAny(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
    throw err;
  }
}

class DiffWalk {
  constructor(
    private readonly upperRoot: string,
    private readonly lowerRoot: string,
    private readonly skip: Set<string>,
  ) {}

  /**
   * Changes under `dir`. `inLower`: the lower tree has `dir` as a real directory (each
   * ancestor checked), so looking names up there follows no symlink.
   */
  async directory(dir: string, inLower: boolean, opaque: boolean): Promise<Change[]> {
    const changes: Change[] = [];
    const names = (await readdir(join(this.upperRoot, dir))).sort();
    for (const name of names) {
      const path = `${dir}/${name}`;
      if (this.skip.has(path)) continue;
      const upper = await lstat(join(this.upperRoot, path));
      const lower = inLower ? await lstatIfAny(join(this.lowerRoot, path)) : undefined;
      if (isWhiteout(upper)) {
        if (lower) changes.push({ Path: path, Kind: ChangeKind.Delete });
      } else if (!lower) {
        changes.push({ Path: path, Kind: ChangeKind.Add });
        if (upper.isDirectory()) changes.push(...(await this.directory(path, false, false)));
      } else if (upper.isDirectory() && lower.isDirectory()) {
        // Below an opaque directory nothing of the lower tree shows: a directory there was made anew too.
        const remade = opaque || isOpaque(join(this.upperRoot, path));
        const below = await this.directory(path, true, remade);
        // A directory is only copied up for what happens below it, so its mtime says nothing.
        if (below.length > 0 || remade || !sameOwnerAndMode(upper, lower)) changes.push({ Path: path, Kind: ChangeKind.Modify }, ...below);
      } else {
        changes.push({ Path: path, Kind: ChangeKind.Modify });
        // What replaced a lower file is a new directory: everything in it is new.
        if (upper.isDirectory()) changes.push(...(await this.directory(path, false, false)));
      }
    }
    if (opaque) {
      const present = new Set(names);
      for (const name of (await readdir(join(this.lowerRoot, dir))).sort()) {
        if (!present.has(name)) changes.push({ Path: `${dir}/${name}`, Kind: ChangeKind.Delete });
      }
    }
    return changes;
  }
}

function sameOwnerAndMode(a: Stats, b: Stats): boolean {
  return a.mode === b.mode && a.uid === b.uid && a.gid === b.gid;
}

/** lstat of `path` inside `root`, following no symlink on the way: undefined if any component is not a directory. */
async function statInTree(root: string, path: string): Promise<Stats | undefined> {
  let current = root;
  let stat: Stats | undefined;
  for (const component of path.split("/").filter(Boolean)) {
    if (stat && !stat.isDirectory()) return undefined;
    current = join(current, component);
    stat = await lstatIfAny(current);
    if (!stat) return undefined;
  }
  return stat;
}
