/**
 * Extracts a (possibly gzipped) tar stream into a directory, safely and in one pass: bytes
 * flow source -> gunzip -> sha256 + tar parser -> disk with backpressure all the way, and the
 * sha256 of the uncompressed tar, the layer's diff ID, falls out of the same pass.
 */
import { createHash } from "node:crypto";
import { extract as tarExtract, type Extract } from "tar-stream";
import { InvalidArgumentError } from "../errors.ts";
import { toWebStream } from "../util/web-stream.ts";
import { archiveFormat } from "./archive-format.ts";
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

/** The longest magic number the inflater needs to see (zstd's). */
const ZSTD_MAGIC_BYTES = 4;

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
  while (head.length < ZSTD_MAGIC_BYTES && !ended) {
    const next = await iterator.next();
    if (next.done) ended = true;
    else head = Buffer.concat([head, next.value]);
  }
  async function* whole(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    for (let next = ended ? undefined : await iterator.next(); next && !next.done; next = await iterator.next()) yield next.value;
  }
  const format = archiveFormat(head);
  if (format !== "gzip" && format !== "zstd") {
    yield* whole();
    return;
  }
  // Bun's native DecompressionStream inflates several times faster than node:zlib's streams
  // (92 ms against 675 ms for 85 MB here), and takes zstd as well.
  const inflated = toWebStream(whole()).pipeThrough(new DecompressionStream(format as "gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
  const reader = inflated.getReader();
  try {
    for (;;) {
      let next;
      try {
        next = await reader.read();
      } catch (error) {
        throw new InvalidArgumentError(`${format}: invalid ${format} data: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** Parser failures mean the client sent something that is not a tar; anything else passes as it is. */
export function asArchiveError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if (error.message === "Unexpected end of data") return new InvalidArgumentError("archive/tar: unexpected EOF");
  if (/tar header|Invalid header|Header exceeds/i.test(error.message)) return new InvalidArgumentError("archive/tar: invalid tar header");
  return error;
}
