/**
 * Streams a directory tree as a tar archive (export, commit), the inverse of tar-entry.ts:
 * modes, owners, mtimes, symlinks, hardlinks (one inode, one data copy), device nodes, fifos,
 * empty directories and xattrs (PAX `SCHILY.xattr.*`). Names are walked in sorted order, so
 * the same tree always gives the same bytes, and so the same diff ID when it is a layer.
 *
 * With `whiteouts: "oci"` the tree is an overlay upper dir and its whiteouts are written the
 * way image layers carry them: a 0:0 character device as an empty `.wh.<name>`, an opaque
 * directory as a `.wh..wh..opq` entry inside it.
 *
 * Bytes are produced only as fast as the consumer reads them, and a consumer that leaves stops
 * the walk (./pack-entry.ts).
 */
import { constants, lstatSync, readdirSync, readlinkSync, type Stats } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { pack as tarPack, type Pack } from "tar-stream";
import { lgetxattr, llistxattr } from "../../ffi/sys.ts";
import { addEntry, streamEntry, type PackHeader } from "./pack-entry.ts";

export interface PackOptions {
  /** "oci": the tree is an overlay upper dir, whose whiteouts become OCI whiteout entries. */
  whiteouts?: "oci" | "none";
  /** Paths ("/etc/hosts") to leave out, with everything under them. */
  skip?: (path: string) => boolean;
  /**
   * Archive `root` itself under this name, whatever it is (`cp` of "/tmp" gives "tmp/",
   * "tmp/a", ...; of a file, one entry). Without it, only a directory's contents are packed.
   */
  name?: string;
  /** Every entry owned by this uid and gid (a build's COPY: root's, whoever owned the context). */
  owner?: { uid: number; gid: number };
}

const WHITEOUT_PREFIX = ".wh.";
const OPAQUE_WHITEOUT = ".wh..wh..opq";
const OVERLAY_XATTR_PREFIX = "trusted.overlay.";
const OPAQUE_XATTR = "trusted.overlay.opaque";
const XATTR_PAX_PREFIX = "SCHILY.xattr.";
const READ_CHUNK = 1 << 20;


/** The archive as a byte stream; reading it drives the walk, and destroying it stops the walk. */
export function packTree(root: string, options: PackOptions = {}): Pack {
  const pack = tarPack();
  const walker = new Walker(root, pack, options);
  walker.run().then(
    () => pack.finalize(),
    (error: unknown) => {
      // Already destroyed: the consumer went away, and the walk failed only because of that.
      if (!pack.destroying) pack.destroy(error instanceof Error ? error : new Error(String(error)));
    },
  );
  return pack;
}

/** Whether a stat is an overlay whiteout: a character device numbered 0:0. */
export function isWhiteout(stat: Stats): boolean {
  return stat.isCharacterDevice() && stat.rdev === 0;
}

/** Whether an overlay directory hides everything below it in the lower layers. */
export function isOpaque(path: string): boolean {
  try {
    return lgetxattr(path, OPAQUE_XATTR).toString() === "y";
  } catch {
    return false; // ENODATA: no such xattr
  }
}

class Walker {
  /** First archive name of each multiply-linked inode, keyed by "dev:ino". */
  readonly #links = new Map<string, string>();

  constructor(
    private readonly root: string,
    private readonly pack: Pack,
    private readonly options: PackOptions,
  ) {}

  async run(): Promise<void> {
    const name = this.options.name;
    if (name === undefined) return this.#directory(this.root, "");
    const stat = lstatSync(this.root);
    await this.#node(this.root, name, stat);
    if (stat.isDirectory()) await this.#directory(this.root, `${name}/`);
  }

  async #directory(dir: string, prefix: string): Promise<void> {
    for (const name of readdirSync(dir).sort()) {
      if (this.pack.destroying) return;
      const path = join(dir, name);
      const archiveName = `${prefix}${name}`;
      if (this.options.skip?.(`/${archiveName}`)) continue;
      const stat = lstatSync(path, { throwIfNoEntry: false });
      if (!stat || stat.isSocket()) continue; // gone since readdir; sockets have no tar form
      if (this.options.whiteouts === "oci" && isWhiteout(stat)) {
        await this.#entry({ ...this.#base(stat, `${prefix}${WHITEOUT_PREFIX}${name}`), type: "file", mode: 0 });
        continue;
      }
      await this.#node(path, archiveName, stat);
      if (stat.isDirectory()) {
        if (this.options.whiteouts === "oci" && isOpaque(path)) {
          await this.#entry({ ...this.#base(stat, `${archiveName}/${OPAQUE_WHITEOUT}`), type: "file", mode: 0 });
        }
        await this.#directory(path, `${archiveName}/`);
      }
    }
  }

  async #node(path: string, name: string, stat: Stats): Promise<void> {
    const header = { ...this.#base(stat, name), pax: this.#xattrs(path) };
    if (stat.isDirectory()) return this.#entry({ ...header, name: `${name}/`, type: "directory" });
    if (stat.isSymbolicLink()) return this.#entry({ ...header, type: "symlink", linkname: readlinkSync(path) });
    if (stat.isFIFO()) return this.#entry({ ...header, type: "fifo" });
    if (stat.isCharacterDevice() || stat.isBlockDevice()) {
      const type = stat.isCharacterDevice() ? "character-device" : "block-device";
      return this.#entry({ ...header, type, devmajor: major(stat.rdev), devminor: minor(stat.rdev) });
    }
    if (stat.nlink > 1) {
      // Exact inode numbers: overlay's xino puts bits above 2^53 into them.
      const exact = lstatSync(path, { bigint: true });
      const key = `${exact.dev}:${exact.ino}`;
      const first = this.#links.get(key);
      if (first !== undefined) return this.#entry({ ...header, type: "link", linkname: first });
      this.#links.set(key, name);
    }
    await this.#file(path, { ...header, type: "file", size: stat.size });
  }

  #base(stat: Stats, name: string): PackHeader {
    const { uid, gid } = this.options.owner ?? stat;
    return { name, mode: stat.mode & 0o7777, uid, gid, mtime: new Date(Math.floor(stat.mtimeMs / 1000) * 1000) };
  }

  /**
   * The xattrs a tar can carry. Overlay's own are dropped: they describe this upper dir, not
   * the files. So are values that are not text: tar-stream reads PAX values back as UTF-8,
   * so a binary one would come back different.
   */
  #xattrs(path: string): Record<string, string> | undefined {
    let pax: Record<string, string> | undefined;
    for (const key of llistxattr(path)) {
      if (key.startsWith(OVERLAY_XATTR_PREFIX)) continue;
      const value = lgetxattr(path, key);
      const text = value.toString("utf8");
      if (!Buffer.from(text, "utf8").equals(value)) continue;
      pax ??= {};
      pax[`${XATTR_PAX_PREFIX}${key}`] = text;
    }
    return pax;
  }

  /** Writes a header-only entry (an empty file, a whiteout, still gets its zero-byte body). */
  #entry(header: PackHeader): Promise<void> {
    return addEntry(this.pack, header);
  }

  /** Streams the file's bytes into its entry, as fast as the archive's reader takes them. */
  async #file(path: string, header: PackHeader): Promise<void> {
    await streamEntry(this.pack, header, fileChunks(path, header.size ?? 0));
  }
}

/** A file's first `size` bytes; a file that shrank while being read is padded, so the archive stays well-formed. */
async function* fileChunks(path: string, size: number): AsyncGenerator<Uint8Array> {
  const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    let remaining = size;
    while (remaining > 0) {
      const wanted = Math.min(READ_CHUNK, remaining);
      const { bytesRead, buffer } = await file.read(Buffer.allocUnsafe(wanted), 0, wanted, null);
      const chunk = bytesRead === 0 ? Buffer.alloc(remaining) : buffer.subarray(0, bytesRead);
      remaining -= chunk.length;
      yield chunk;
    }
  } finally {
    await file.close();
  }
}

/** glibc's gnu_dev_major/minor over a dev_t that fits a double (device numbers stay far below 2^53). */
function major(rdev: number): number {
  return Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
}

function minor(rdev: number): number {
  return Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));
}
