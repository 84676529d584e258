/**
 * The layout of a layer's original tar, kept beside the extracted layer so `save` can give
 * back the very same bytes, and so the same diff ID, that the layer came in as (docker's
 * tar-split idea). A repacked tree would differ in header details, entry order or padding,
 * and a diff ID that no longer matches makes `docker load` refuse the image.
 *
 * The record is every byte of the tar except regular files' contents, which stay in the
 * extracted tree: gzipped JSON lines, `{"r":"<base64>"}` for raw bytes and
 * `{"f":"<entry name>","s":<size>}` for a file's contents. It is written and read as a
 * stream, so neither recording nor replaying holds a layer in memory.
 */
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip, createGzip, type Gzip } from "node:zlib";
import { EngineError } from "../errors.ts";
import { cleanComponents, resolveInRoot } from "./scoped-path.ts";

const BLOCK = 512;
/** Entry types whose contents are a file's bytes (regular, old-style regular, contiguous). */
const FILE_TYPES = new Set(["0", "\0", "7"]);
/** Entry types whose contents describe the next entry: PAX, GNU long name and long link. */
const PAX = "x";
const GNU_LONG_NAME = "L";
const READ_CHUNK = 1 << 20;

type Segment = { r: string } | { f: string; s: number };

/** Fed the uncompressed tar's bytes in order; writes the record to `path`. */
export class TarRecorder {
  readonly #gzip: Gzip;
  readonly #file: WriteStream;
  #raw: Buffer[] = [];
  #rawBytes = 0;
  #pending = Buffer.alloc(0);
  /** Bytes of the current entry's contents still to come, and whether they are kept raw. */
  #contentLeft = 0;
  #contentRaw = true;
  #padding = 0;
  #ended = false;
  /** Name overrides carried by a PAX or GNU long-name entry for the entry after it. */
  #nextName: string | undefined;
  #nextSize: number | undefined;
  #meta: Buffer[] | undefined;
  #metaType = "";

  constructor(path: string) {
    this.#gzip = createGzip();
    this.#file = createWriteStream(path);
    this.#gzip.pipe(this.#file);
  }

  feed(chunk: Uint8Array): void {
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (data.length > 0) {
      if (this.#ended) {
        this.#keep(data);
        return;
      }
      if (this.#contentLeft > 0) {
        const take = Math.min(this.#contentLeft, data.length);
        if (this.#contentRaw) this.#keep(data.subarray(0, take));
        this.#meta?.push(Buffer.from(data.subarray(0, take)));
        this.#contentLeft -= take;
        data = data.subarray(take);
        if (this.#contentLeft === 0) this.#endContent();
        continue;
      }
      if (this.#padding > 0) {
        const take = Math.min(this.#padding, data.length);
        this.#keep(data.subarray(0, take));
        this.#padding -= take;
        data = data.subarray(take);
        continue;
      }
      const need = BLOCK - this.#pending.length;
      this.#pending = Buffer.concat([this.#pending, data.subarray(0, need)]);
      data = data.subarray(Math.min(need, data.length));
      if (this.#pending.length === BLOCK) {
        const header = this.#pending;
        this.#pending = Buffer.alloc(0);
        this.#header(header);
      }
    }
  }

  /** Flushes the record; resolves once it is on disk. */
  async finish(): Promise<void> {
    if (this.#pending.length > 0) this.#keep(this.#pending);
    this.#flushRaw();
    await new Promise<void>((resolve, reject) => {
      this.#file.once("close", resolve);
      this.#file.once("error", reject);
      this.#gzip.end();
    });
  }

  #header(block: Buffer): void {
    this.#keep(block);
    if (block.every((byte) => byte === 0)) {
      // The end-of-archive blocks: everything from here on is kept as it is.
      this.#ended = true;
      return;
    }
    const type = String.fromCharCode(block[156]);
    const size = this.#nextSize !== undefined && FILE_TYPES.has(type) ? this.#nextSize : octal(block.subarray(124, 136));
    this.#padding = (BLOCK - (size % BLOCK)) % BLOCK;
    this.#contentLeft = size;
    this.#meta = type === PAX || type === GNU_LONG_NAME ? [] : undefined;
    this.#metaType = type;
    this.#contentRaw = !FILE_TYPES.has(type) || size === 0;
    if (!this.#contentRaw) {
      this.#flushRaw();
      this.#write({ f: this.#nextName ?? ustarName(block), s: size });
    }
    if (!this.#meta) {
      this.#nextName = undefined;
      this.#nextSize = undefined;
    }
    if (size === 0) this.#endContent();
  }

  #endContent(): void {
    if (!this.#meta) return;
    const text = Buffer.concat(this.#meta).toString("utf8");
    if (this.#metaType === GNU_LONG_NAME) this.#nextName = text.replace(/\0.*$/s, "");
    else {
      for (const [key, value] of paxRecords(text)) {
        if (key === "path") this.#nextName = value;
        if (key === "size") this.#nextSize = Number(value);
      }
    }
    this.#meta = undefined;
  }

  #keep(bytes: Buffer): void {
    this.#raw.push(Buffer.from(bytes));
    this.#rawBytes += bytes.length;
    if (this.#rawBytes >= READ_CHUNK) this.#flushRaw();
  }

  #flushRaw(): void {
    if (this.#rawBytes === 0) return;
    this.#write({ r: Buffer.concat(this.#raw).toString("base64") });
    this.#raw = [];
    this.#rawBytes = 0;
  }

  #write(segment: Segment): void {
    this.#gzip.write(`${JSON.stringify(segment)}\n`);
  }
}

/** The length of the tar the record describes. */
export async function recordedSize(path: string): Promise<number> {
  let size = 0;
  for await (const segment of segments(path)) size += "r" in segment ? Buffer.byteLength(segment.r, "base64") : segment.s;
  return size;
}

/** The tar's bytes again: raw segments as recorded, file contents read from the extracted tree under `root`. */
export async function* replayTar(path: string, root: string): AsyncGenerator<Uint8Array> {
  for await (const segment of segments(path)) {
    if ("r" in segment) {
      yield Buffer.from(segment.r, "base64");
      continue;
    }
    const components = cleanComponents(segment.f);
    const base = components.pop();
    if (base === undefined) throw new EngineError(`layer record names no file: ${segment.f}`);
    yield* fileBytes(join(resolveInRoot(root, components), base), segment.s);
  }
}

async function* fileBytes(path: string, size: number): AsyncGenerator<Uint8Array> {
  const file = await open(path, "r");
  try {
    let left = size;
    while (left > 0) {
      const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, left));
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) throw new EngineError(`layer file ${path} is shorter than its archive entry`);
      left -= bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

async function* segments(path: string): AsyncGenerator<Segment> {
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) if (line !== "") yield JSON.parse(line) as Segment;
}

function octal(field: Buffer): number {
  // GNU base-256 for sizes of 8 GiB and more: the high bit of the first byte is set.
  if (field[0] & 0x80) return field.subarray(1).reduce((value, byte) => value * 256 + byte, field[0] & 0x7f);
  const text = field.toString("ascii").replace(/\0.*$/s, "").trim();
  return text === "" ? 0 : parseInt(text, 8);
}

function ustarName(block: Buffer): string {
  const field = (start: number, length: number) => block.subarray(start, start + length).toString("utf8").replace(/\0.*$/s, "");
  const name = field(0, 100);
  const prefix = block.subarray(257, 262).toString("ascii") === "ustar" ? field(345, 155) : "";
  return prefix ? `${prefix}/${name}` : name;
}

/** PAX records: "<length> <key>=<value>\n", one after another. */
function paxRecords(text: string): Array<[string, string]> {
  const records: Array<[string, string]> = [];
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < bytes.length) {
    const space = bytes.indexOf(0x20, offset);
    if (space < 0) break;
    const length = Number(bytes.subarray(offset, space).toString("ascii"));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = bytes.subarray(space + 1, offset + length - 1).toString("utf8");
    const equals = record.indexOf("=");
    if (equals > 0) records.push([record.slice(0, equals), record.slice(equals + 1)]);
    offset += length;
  }
  return records;
}
