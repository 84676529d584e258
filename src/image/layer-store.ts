/**
 * Extracted layers, addressed by diff ID:
 *
 *   ROOT/layers/<hex>/diff   the layer's tree, an overlay lower dir
 *   ROOT/layers/<hex>/size   its size in bytes
 *   ROOT/layers/<hex>/tar-record.gz   how to re-create the exact tar it came as (./tar-record.ts)
 *   ROOT/layers/l/<16 hex>   -> ../<hex>/diff, so a mount's lowerdir list of many layers stays
 *                            within the one page the kernel accepts for mount options
 *
 * A layer is extracted under ROOT/tmp and renamed into place whole, and removed by renaming it
 * back out first, so a crash never leaves a half-present layer that looks registered.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, lstatSync, readlinkSync, renameSync, rmSync, symlinkSync, unlinkSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { DigestMismatchError, InvalidArgumentError, NotFoundError } from "../errors.ts";
import { fsyncDir, writeFileAtomic } from "../util/atomic-write.ts";
import { extractTar, type ExtractOptions } from "../archive/tar-extract.ts";
import { recordedSize, replayTar, TarRecorder } from "../archive/tar-record.ts";

const DIFF_ID = /^sha256:([0-9a-f]{64})$/;
const LAYER_DIR_NAME = /^[0-9a-f]{64}$/;
const SHORT_LINK_LENGTH = 16;
const SHORT_LINK_NAME = /^[0-9a-f]{16}$/;
const LINKS_DIR_NAME = "l";
const TAR_RECORD = "tar-record.gz";

/** The lower dir name, relative to ROOT/layers, that a mount uses for this layer: "l/<16 hex>". */
export function shortLinkName(diffId: string): string {
  return `${LINKS_DIR_NAME}/${hexOf(diffId).slice(0, SHORT_LINK_LENGTH)}`;
}

/**
 * The lower dirs that mount an image's layers (`diffIds` base first): short names, top first,
 * each layer once. Overlay refuses a lower dir given twice, and an image can hold one layer
 * twice (two commits that changed nothing both add the same empty layer). Dropping the lower
 * copies changes nothing: the topmost copy provides all they do, and its whiteouts reach
 * every layer below it.
 */
export function mountLowers(diffIds: string[]): string[] {
  return [...new Set([...diffIds].reverse().map(shortLinkName))];
}

export interface RegisteredLayer {
  diffId: string;
  size: number;
  /** False when the layer was already present (and the copy just extracted was dropped). */
  fresh: boolean;
}

export class LayerStore {
  readonly layersDir: string;
  private readonly tmpDir: string;
  private readonly linksDir: string;

  constructor(root: string) {
    this.layersDir = join(root, "layers");
    this.tmpDir = join(root, "tmp");
    this.linksDir = join(this.layersDir, LINKS_DIR_NAME);
    for (const dir of [this.layersDir, this.tmpDir, this.linksDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /**
   * Extracts a tar stream and registers it under its diff ID; a layer already present is kept
   * and the copy dropped. With `expectedDiffId` (a pulled layer, whose config says what it
   * must be), a tar that turns out to be anything else is dropped and refused.
   */
  async register(input: AsyncIterable<Uint8Array>, options: ExtractOptions & { expectedDiffId?: string } = {}): Promise<RegisteredLayer> {
    const work = join(this.tmpDir, randomBytes(8).toString("hex"));
    const diff = join(work, "diff");
    mkdirSync(diff, { recursive: true, mode: 0o755 });
    const recorder = new TarRecorder(join(work, TAR_RECORD));
    try {
      let extracted;
      try {
        extracted = await extractTar(input, diff, { ...options, onTarBytes: (chunk) => recorder.feed(chunk) });
      } finally {
        await recorder.finish();
      }
      const { diffId, contentBytes } = extracted;
      if (options.expectedDiffId !== undefined && diffId !== options.expectedDiffId) {
        throw new DigestMismatchError(`layer diff ID mismatch: the uncompressed layer is ${diffId}, the image config says ${options.expectedDiffId}`);
      }
      if (this.has(diffId)) {
        rmSync(work, { recursive: true, force: true });
        return { diffId, size: this.size(diffId), fresh: false };
      }
      writeFileAtomic(join(work, "size"), String(contentBytes));
      await flushFilesystem(work); // the tree's data must be on disk before the rename makes it count
      renameSync(work, this.layerDir(diffId));
      fsyncDir(this.layersDir);
      this.link(hexOf(diffId));
      return { diffId, size: contentBytes, fresh: true };
    } catch (error) {
      rmSync(work, { recursive: true, force: true });
      throw error;
    }
  }

  /** The diff ID of every layer present. */
  list(): string[] {
    return readdirSync(this.layersDir).filter((name) => LAYER_DIR_NAME.test(name)).map((hex) => `sha256:${hex}`);
  }

  has(diffId: string): boolean {
    return existsSync(this.layerDir(diffId));
  }

  diffDir(diffId: string): string {
    return join(this.layerDir(diffId), "diff");
  }

  /**
   * Whether a top-level `name` is a directory in the image of these layers, or absent from it:
   * the top-most layer that has the entry decides (a whiteout or a link there means "not a directory").
   */
  directoryOrAbsent(diffIds: string[], name: string): boolean {
    for (const diffId of [...diffIds].reverse()) {
      const stat = lstatSync(join(this.diffDir(diffId), name), { throwIfNoEntry: false });
      if (stat) return stat.isDirectory();
    }
    return true;
  }

  size(diffId: string): number {
    if (!this.has(diffId)) throw new NotFoundError(`layer does not exist: ${diffId}`);
    return Number(readFileSync(join(this.layerDir(diffId), "size"), "utf8"));
  }

  /** The length of the layer's tar as it came in, known without producing it (an outer tar's header needs it first). */
  tarSize(diffId: string): Promise<number> {
    if (!this.has(diffId)) throw new NotFoundError(`layer does not exist: ${diffId}`);
    return recordedSize(join(this.layerDir(diffId), TAR_RECORD));
  }

  /** The layer's tar, byte for byte as it came in, so its digest is its diff ID again. */
  tar(diffId: string): AsyncGenerator<Uint8Array> {
    if (!this.has(diffId)) throw new NotFoundError(`layer does not exist: ${diffId}`);
    return replayTar(join(this.layerDir(diffId), TAR_RECORD), this.diffDir(diffId));
  }

  /** Deletes the layer; a layer that is already gone is fine, as several images may release it. */
  remove(diffId: string): void {
    if (!this.has(diffId)) return;
    const doomed = join(this.tmpDir, randomBytes(8).toString("hex"));
    renameSync(this.layerDir(diffId), doomed);
    fsyncDir(this.layersDir);
    rmSync(join(this.layersDir, shortLinkName(diffId)), { force: true });
    rmSync(doomed, { recursive: true, force: true });
  }

  /** At startup: drops whatever an interrupted register or remove left in ROOT/tmp. */
  cleanupTemp(): void {
    for (const name of readdirSync(this.tmpDir)) rmSync(join(this.tmpDir, name), { recursive: true, force: true });
  }

  /** At startup: recreates short links a crash lost and drops ones whose layer is gone. */
  ensureLinks(): void {
    for (const name of readdirSync(this.linksDir)) {
      // existsSync follows the link, so this also catches links whose layer is gone (and stray temp links).
      if (!SHORT_LINK_NAME.test(name) || !existsSync(join(this.linksDir, name))) unlinkSync(join(this.linksDir, name));
    }
    for (const name of readdirSync(this.layersDir)) {
      if (LAYER_DIR_NAME.test(name)) this.link(name);
    }
  }

  private layerDir(diffId: string): string {
    return join(this.layersDir, hexOf(diffId));
  }

  /** Points l/<16 hex> at the layer, replacing any link there atomically. */
  private link(hex: string): void {
    const path = join(this.linksDir, hex.slice(0, SHORT_LINK_LENGTH));
    const target = `../${hex}/diff`;
    if (readLink(path) === target) return;
    const tmp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
    symlinkSync(target, tmp);
    renameSync(tmp, path);
    fsyncDir(this.linksDir);
  }
}

function hexOf(diffId: string): string {
  const match = DIFF_ID.exec(diffId);
  if (!match) throw new InvalidArgumentError(`invalid diff ID: ${diffId}`);
  return match[1];
}

function readLink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/**
 * syncfs(2): one flush of the filesystem instead of an fsync per extracted file. Run by
 * coreutils' `sync --file-system` in a child process, because a flush of a few hundred MB
 * takes seconds and an FFI call would hold the daemon's event loop for all of them.
 */
async function flushFilesystem(path: string): Promise<void> {
  const child = Bun.spawn(["sync", "--file-system", path], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
  if (code !== 0) throw new Error(`sync --file-system ${path}: ${stderr.trim() || `exit ${code}`}`);
}
