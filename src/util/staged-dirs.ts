/**
 * A directory of entries that appear and vanish whole (containers, volumes): each is made in
 * `.tmp-<name>` and renamed into place, and removed by renaming it to `.removing-<name>` before
 * deleting it. A crash at any point leaves a dot-named leftover, never a half-made or
 * half-removed entry; `settledEntries` drops those leftovers at start-up.
 */
import { mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fsyncDir } from "./atomic-write.ts";

/** The complete entries of `dir`, after deleting what interrupted creates and removes left. */
export function settledEntries(dir: string): string[] {
  const entries: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith(".")) rmSync(join(dir, entry), { recursive: true, force: true });
    else entries.push(entry);
  }
  return entries;
}

/** Makes `dir/name` by filling a temporary directory, then renaming it into place. */
export function createStaged(dir: string, name: string, fill: (tmp: string) => void): void {
  const tmp = join(dir, `.tmp-${name}`);
  mkdirSync(tmp, { recursive: true });
  fill(tmp);
  renameSync(tmp, join(dir, name));
  fsyncDir(dir);
}

/** Removes `dir/name`: out of sight first, then deleted. */
export function removeStaged(dir: string, name: string): void {
  const doomed = join(dir, `.removing-${name}`);
  renameSync(join(dir, name), doomed);
  fsyncDir(dir);
  rmSync(doomed, { recursive: true, force: true });
}
