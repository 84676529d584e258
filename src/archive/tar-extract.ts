/**
 * Extracts a (possibly gzipped) tar stream into a directory, safely and in one pass: bytes
 * flow source -> gunzip -> sha256 + tar parser -> disk with backpressure all the way, and the
 * sha256 of the uncompressed tar, the layer's diff ID, falls out of the same pass.
 */
import { createHash } from "node:crypto";
import { Readable, pipeline } from "node:stream";
import { createGunzip, createZstdDecompress } from "node:zlib";
import { extract as tarExtract, type Extract } from "tar-stream";
import { InvalidArgumentError } from "../errors.ts";
import { applyDirectoryTimes, applyEntry, type EntryData, type ExtractionState, type TarHeader, type WhiteoutMode } from "./tar-entry.ts";

export type { WhiteoutMode } from "./tar-entry.ts";

export interface ExtractOptions {
  /** "overlay" for registry and `load` layers; a plain rootfs import keeps `.wh.` names as files. */
  whiteouts?: WhiteoutMode;
  /** Told the running total of input bytes consumed (compressed bytes, if the input is gzipped). */
  onProgress?: (inputBytes: number) => void;
  /** Refuse to replace a directory with a non-directory or the reverse (`docker cp` into a container). */
  noOverwriteDirNonDir?: boolean;
  /** Given every byte of the uncompressed tar, in order (the layer store records the archive's layout from them). */
  onTarBytes?: (chunk: Uint8Array) => void;
}

export interface ExtractStats {
  /** "sha256:<hex>" of the uncompressed tar stream. */
  diffId: string;
  /** Length of the uncompressed tar stream. */
  tarBytes: number;
  /** Sum of the regular files' sizes, which Docker reports as a layer's size. */
  contentBytes: number;
  entries: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

export async function extractTar(input: AsyncIterable<Uint8Array>, root: string, options: ExtractOptions = {}): Promise<ExtractStats> {
  const state: ExtractionState = {
    root,
    whiteouts: options.whiteouts ?? "none",
    noOverwriteDirNonDir: options.noOverwriteDirNonDir ?? false,
    dirTimes: [],
    contentBytes: 0,
  };
  const hash = createHash("sha256");
  let tarBytes = 0;
  let entries = 0;
  let lastEntry = Promise.resolve();

  const extract = tarExtract();
  extract.on("entry", (header, data, next) => {
    entries++;
    // A parser failure mid-entry is also emitted on the entry's stream; the loop reading it sees
    // it, but an emit with no listener would still count as uncaught.
    data.on("error", () => {});
    lastEntry = applyEntry(state, header as TarHeader, data as EntryData).then(
      () => next(),
      (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
    );
  });
  const closed = untilClosed(extract);
  // Observed later by the feed loop; until then a parser error must not count as unhandled.
  closed.catch(() => {});

  try {
    for await (const chunk of decompressed(counted(input, options.onProgress))) {
      hash.update(chunk);
      options.onTarBytes?.(chunk);
      tarBytes += chunk.length;
      if (!extract.write(chunk)) await Promise.race([new Promise<void>((resolve) => extract.once("drain", () => resolve())), closed]);
    }
    extract.end(undefined); // streamx types require an argument; undefined writes nothing
    await closed;
    await lastEntry;
  } catch (error) {
    extract.destroy();
    // Destroying the parser ends the entry being written; wait so nothing writes after we return.
    await lastEntry;
    throw asArchiveError(error);
  }
  applyDirectoryTimes(state);
  return { diffId: `sha256:${hash.digest("hex")}`, tarBytes, contentBytes: state.contentBytes, entries };
}

/** Settles when the parser closes: resolves after a clean end, rejects with the error that stopped it. */
function untilClosed(extract: Extract): Promise<void> {
  return new Promise((resolve, reject) => {
    extract.once("error", reject);
    extract.once("close", () => resolve());
  });
}

async function* counted(input: AsyncIterable<Uint8Array>, onProgress?: (inputBytes: number) => void): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of input) {
    total += chunk.length;
    onProgress?.(total);
    yield chunk;
  }
}

/** The input's bytes, inflated when they start with gzip's or zstd's magic number (import and registry layers). */
async function* decompressed(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const iterator = input[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  let ended = false;
  while (head.length < ZSTD_MAGIC.length && !ended) {
    const next = await iterator.next();
    if (next.done) ended = true;
    else head = Buffer.concat([head, next.value]);
  }
  async function* whole(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    for (let next = ended ? undefined : await iterator.next(); next && !next.done; next = await iterator.next()) yield next.value;
  }
  const startsWith = (magic: number[]) => magic.every((byte, i) => head[i] === byte);
  const inflate = startsWith(GZIP_MAGIC) ? createGunzip() : startsWith(ZSTD_MAGIC) ? createZstdDecompress() : undefined;
  if (!inflate) {
    yield* whole();
    return;
  }
  // Errors reach the loop below through the destroyed stream, so the callback has nothing to do.
  const inflated = pipeline(Readable.from(whole()), inflate, () => {});
  try {
    yield* inflated as AsyncIterable<Buffer>;
  } finally {
    inflated.destroy();
  }
}

/** Parser and gzip failures mean the client sent something that is not a (gzipped) tar; anything else passes as it is. */
export function asArchiveError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === "string" && code.startsWith("Z_")) return new InvalidArgumentError(`gzip: invalid gzip data: ${error.message}`);
  if (typeof code === "string" && code.startsWith("ZSTD_")) return new InvalidArgumentError(`zstd: invalid zstd data: ${error.message}`);
  if (error.message === "Unexpected end of data") return new InvalidArgumentError("archive/tar: unexpected EOF");
  if (/tar header|Invalid header|Header exceeds/i.test(error.message)) return new InvalidArgumentError("archive/tar: invalid tar header");
  return error;
}
