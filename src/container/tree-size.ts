/**
 * The bytes of a directory tree as Docker counts a container's size (its directory.Size): the
 * lstat size of everything but directories, each inode once (hard links share their data). Walked asynchronously: a container that wrote
 * many files must not stall the daemon's event loop.
 */
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

export async function treeSize(root: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // gone meanwhile, or never made (a container not started yet)
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        await walk(path);
        continue;
      }
      const stat = await lstat(path).catch(() => undefined);
      if (!stat) continue;
      const inode = `${stat.dev}:${stat.ino}`;
      if (stat.nlink > 1 && seen.has(inode)) continue;
      seen.add(inode);
      total += stat.size;
    }
  };
  await walk(root);
  return total;
}
