/**
 * Writes one tar entry into an extraction root, containerd's "apply naive" rules: the entry's
 * parent is resolved inside the root (symlinks scoped to it), the final component is never
 * followed but replaced, and metadata is applied in the order that keeps it: owner, xattrs,
 * then mode (chown clears setuid), with directory mtimes left for the very end.
 */
import { chmodSync, constants, linkSync, lchownSync, lstatSync, lutimesSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import type { Header } from "tar-stream";
import { lsetxattr, mkfifo, mknod } from "../../ffi/sys.ts";
import { InvalidArgumentError } from "../errors.ts";
import { cleanComponents, resolveInRoot } from "./scoped-path.ts";

/** tar-stream fills `pax` with the entry's PAX records as strings. */
export type TarHeader = Omit<Header, "pax"> & { pax?: Record<string, string> | null };

/** An entry's bytes as tar-stream hands them over. */
export type EntryData = AsyncIterable<Uint8Array>;

export type WhiteoutMode = "overlay" | "none";

export interface ExtractionState {
  root: string;
  whiteouts: WhiteoutMode;
  /** `docker cp`'s rule: an existing directory is never replaced by a non-directory, nor the reverse. */
  noOverwriteDirNonDir: boolean;
  /** Directory mtimes, applied after every entry, since creating entries inside a directory bumps its mtime. */
  dirTimes: Array<{ path: string; mtime: number }>;
  /** Sum of regular file sizes and symlink lengths: what Docker reports as a layer's size (its directory.Size). */
  contentBytes: number;
}

const WHITEOUT_PREFIX = ".wh.";
const OPAQUE_WHITEOUT = ".wh..wh..opq";
const XATTR_PAX_PREFIX = "SCHILY.xattr.";
const PERMISSION_BITS = 0o7777;

export async function applyEntry(state: ExtractionState, header: TarHeader, data: EntryData): Promise<void> {
  const components = cleanComponents(header.name);
  const base = components.pop();
  if (base === undefined) {
    // The entry names the root itself ("./"): only a directory's metadata can apply to it.
    await drain(header, data);
    if (header.type === "directory") applyMetadata(state, state.root, header);
    return;
  }
  const parent = resolveInRoot(state.root, components);
  mkdirSync(parent, { recursive: true, mode: 0o755 });

  if (state.whiteouts === "overlay" && base.startsWith(WHITEOUT_PREFIX)) {
    await drain(header, data);
    convertWhiteout(parent, base, header);
    return;
  }

  const path = join(parent, base);
  const existing = lstatSync(path, { throwIfNoEntry: false });
  const mergeIntoDir = existing?.isDirectory() === true && header.type === "directory";
  if (existing && state.noOverwriteDirNonDir && existing.isDirectory() !== (header.type === "directory")) {
    throw new InvalidArgumentError(
      existing.isDirectory() ? `cannot overwrite directory "${header.name}" with non-directory` : `cannot overwrite non-directory "${header.name}" with directory`,
    );
  }
  if (existing && !mergeIntoDir) rmSync(path, { recursive: true, force: true });

  switch (header.type) {
    case "file":
    case "contiguous-file":
      await writeRegularFile(path, data);
      state.contentBytes += header.size ?? 0;
      break;
    case "directory":
      if (!mergeIntoDir) mkdirSync(path, 0o700);
      break;
    case "symlink":
      await drain(header, data);
      // Stored verbatim: it is resolved only inside the container, never while extracting.
      symlinkSync(header.linkname ?? "", path);
      state.contentBytes += Buffer.byteLength(header.linkname ?? ""); // its size, as lstat (and so Docker) counts it
      break;
    case "link":
      await drain(header, data);
      linkSync(hardlinkTarget(state.root, header.linkname ?? ""), path);
      break;
    case "character-device":
    case "block-device":
      await drain(header, data);
      mknod(path, (header.type === "character-device" ? constants.S_IFCHR : constants.S_IFBLK) | 0o600, header.devmajor ?? 0, header.devminor ?? 0);
      break;
    case "fifo":
      await drain(header, data);
      mkfifo(path, 0o600);
      break;
    default:
      throw new InvalidArgumentError(`unhandled tar header type ${header.type} for ${header.name}`);
  }
  applyMetadata(state, path, header);
}

/** Sets every directory's recorded mtime; lutimes, because a later entry may have swapped it for a symlink. */
export function applyDirectoryTimes(state: ExtractionState): void {
  for (const { path, mtime } of state.dirTimes) {
    if (lstatSync(path, { throwIfNoEntry: false })) lutimesSync(path, mtime, mtime);
  }
}

function applyMetadata(state: ExtractionState, path: string, header: TarHeader): void {
  const pax = header.pax ?? {};
  lchownSync(path, Number(pax.uid ?? header.uid ?? 0), Number(pax.gid ?? header.gid ?? 0));
  for (const [key, value] of Object.entries(pax)) {
    // tar-stream decodes PAX values as UTF-8, so binary values cannot round-trip exactly.
    if (key.startsWith(XATTR_PAX_PREFIX)) lsetxattr(path, key.slice(XATTR_PAX_PREFIX.length), Buffer.from(value));
  }
  // Decided by what is on disk, not by the header: a hardlink to a symlink is a symlink, and
  // chmod would follow it out of the root. Linux has no lchmod; a symlink's mode is always 0777.
  const onDisk = lstatSync(path);
  if (!onDisk.isSymbolicLink()) chmodSync(path, (header.mode ?? 0) & PERMISSION_BITS);
  const mtime = pax.mtime !== undefined ? Number(pax.mtime) : (header.mtime?.getTime() ?? 0) / 1000;
  if (onDisk.isDirectory()) state.dirTimes.push({ path, mtime });
  else lutimesSync(path, mtime, mtime);
}

/**
 * OCI whiteouts become overlayfs ones: `.wh.name` a 0:0 character device named `name`, and
 * `.wh..wh..opq` the opaque xattr on the directory holding it.
 */
function convertWhiteout(parent: string, base: string, header: TarHeader): void {
  if (base === OPAQUE_WHITEOUT) {
    lsetxattr(parent, "trusted.overlay.opaque", Buffer.from("y"));
    return;
  }
  const hidden = base.slice(WHITEOUT_PREFIX.length);
  // ".wh..." would otherwise whiteout the parent itself, or its parent.
  if (hidden === "" || hidden === "." || hidden === "..") throw new InvalidArgumentError(`invalid whiteout name: ${header.name}`);
  const path = join(parent, hidden);
  rmSync(path, { recursive: true, force: true });
  mknod(path, constants.S_IFCHR, 0, 0);
  lchownSync(path, header.uid ?? 0, header.gid ?? 0);
}

/** A hardlink may only point at something this archive already put inside the root. */
function hardlinkTarget(root: string, linkname: string): string {
  const components = cleanComponents(linkname);
  const base = components.pop();
  // link(2) does not follow a final symlink, so only the parent needs resolving.
  const target = base === undefined ? undefined : join(resolveInRoot(root, components), base);
  const stat = target === undefined ? undefined : lstatSync(target, { throwIfNoEntry: false });
  if (target === undefined || !stat || stat.isDirectory()) throw new InvalidArgumentError(`invalid hardlink target ${linkname}: not a file in this archive`);
  return target;
}

/** Streams the entry's bytes into a new file; O_NOFOLLOW|O_EXCL because the name was just cleared. */
async function writeRegularFile(path: string, data: EntryData): Promise<void> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const file = await open(path, flags, 0o600);
  try {
    for await (const chunk of data) {
      for (let offset = 0; offset < chunk.length; ) {
        const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset);
        offset += bytesWritten;
      }
    }
  } finally {
    await file.close();
  }
}

/** Consumes an entry's bytes we have no use for, so the archive stream can move on. */
async function drain(header: TarHeader, data: EntryData): Promise<void> {
  // tar-stream skips a directory's bytes itself and never ends its stream when it claims some.
  if (header.type === "directory") return;
  for await (const _ of data) {
    // discard
  }
}
