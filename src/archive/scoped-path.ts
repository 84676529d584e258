/**
 * Path arithmetic for extracting untrusted archives: every name and every symlink met on the
 * way is interpreted as if `root` were "/", so nothing an archive says can reach outside it.
 * This is safe without openat2-style kernel help only because extraction writes into a fresh
 * directory no one else touches, so what we lstat cannot change before we use it.
 */
import { lstatSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { InvalidArgumentError } from "../errors.ts";

/** Linux's own limit on symlinks followed while resolving one path (MAXSYMLINKS was 40; this is generous). */
const MAX_SYMLINKS = 255;

/** The components of an archive name with "", "." removed and ".." applied lexically, clamped at the root. */
export function cleanComponents(name: string): string[] {
  const parts: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts;
}

/**
 * The host path of `components` below `root`, following every symlink among them, absolute or
 * relative, as the kernel would if `root` were "/": ".." stops at the root and an absolute
 * target restarts from it. Components that do not exist yet are taken as they are.
 */
export function resolveInRoot(root: string, components: string[]): string {
  const resolved: string[] = [];
  const pending = [...components].reverse(); // a stack: the next component is last
  let followed = 0;
  while (pending.length > 0) {
    const part = pending.pop()!;
    if (part === "" || part === ".") continue;
    if (part === "..") {
      resolved.pop();
      continue;
    }
    const candidate = join(root, ...resolved, part);
    if (!lstatSync(candidate, { throwIfNoEntry: false })?.isSymbolicLink()) {
      resolved.push(part);
      continue;
    }
    if (++followed > MAX_SYMLINKS) throw new InvalidArgumentError(`too many levels of symbolic links: ${components.join("/")}`);
    const target = readlinkSync(candidate);
    if (target.startsWith("/")) resolved.length = 0;
    pending.push(...target.split("/").reverse());
  }
  return join(root, ...resolved);
}
