/**
 * Docker's json-file log format: one JSON object a line, `{"log":"tick\n","stream":"stdout","time":"…"}`.
 * Writes go through one queue with a single write in flight, so lines keep their order and
 * the event loop never blocks on the disk.
 */
import { closeSync, createReadStream, existsSync, openSync, write, constants } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { nowRfc3339Nano } from "../util/timestamp.ts";

export type StreamName = "stdout" | "stderr";

export interface LogEntry {
  stream: StreamName;
  log: string;
  time: string;
}

export class JsonLogWriter {
  readonly #fd: number;
  readonly #partial: Record<StreamName, string> = { stdout: "", stderr: "" };
  #queue: string[] = [];
  #writing = false;
  #drained: (() => void)[] = [];

  constructor(path: string) {
    this.#fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND, 0o640);
  }

  /** Records output; a line is written once its newline arrives (or at close). */
  write(stream: StreamName, chunk: Uint8Array): void {
    const text = this.#partial[stream] + Buffer.from(chunk).toString("utf8");
    const lines = text.split(/(?<=\n)/);
    this.#partial[stream] = lines[lines.length - 1].endsWith("\n") ? "" : lines.pop()!;
    const time = nowRfc3339Nano();
    for (const log of lines) this.#enqueue({ log, stream, time });
  }

  async close(): Promise<void> {
    for (const stream of ["stdout", "stderr"] as const) {
      if (this.#partial[stream]) this.#enqueue({ log: this.#partial[stream], stream, time: nowRfc3339Nano() });
    }
    if (this.#writing || this.#queue.length) await new Promise<void>((resolve) => this.#drained.push(resolve));
    closeSync(this.#fd);
  }

  #enqueue(entry: LogEntry): void {
    this.#queue.push(`${JSON.stringify(entry)}\n`);
    this.#flush();
  }

  #flush(): void {
    if (this.#writing) return;
    if (this.#queue.length === 0) {
      for (const resolve of this.#drained.splice(0)) resolve();
      return;
    }
    const data = Buffer.from(this.#queue.join(""));
    this.#queue = [];
    this.#writing = true;
    write(this.#fd, data, () => {
      this.#writing = false;
      this.#flush();
    });
  }
}

/** One log line, or null for a torn one (a crash mid-write must not stop the reader). */
function parseLine(line: string): LogEntry | null {
  if (!line) return null;
  try {
    return JSON.parse(line) as LogEntry;
  } catch {
    return null;
  }
}

export interface ReadOptions {
  /** Keep only the last `tail` entries; undefined means all. */
  tail?: number;
  /** Unix seconds; entries before it are skipped. */
  since?: number;
}

/** Streams the entries of a log file, never holding more than `tail` of them in memory. */
export async function* readJsonLog(path: string, options: ReadOptions = {}): AsyncGenerator<LogEntry> {
  if (!existsSync(path) || options.tail === 0) return;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  const kept: LogEntry[] = [];
  for await (const line of lines) {
    const entry = parseLine(line);
    if (!entry) continue;
    if (options.since !== undefined && Date.parse(entry.time) / 1000 < options.since) continue;
    if (options.tail === undefined) {
      yield entry;
    } else {
      kept.push(entry);
      if (kept.length > options.tail) kept.shift();
    }
  }
  yield* kept;
}

const FOLLOW_POLL_MS = 100;
const FOLLOW_CHUNK = 1 << 20;

/**
 * `logs -f`: every entry from the first byte, then the ones appended later, until `finished()`
 * holds and the file is read to its end. Following the file rather than the live pipes means
 * nothing is lost or repeated between the history and the live output. Reads are bounded
 * and end on a newline, so a huge log never sits in memory whole and no line is torn.
 */
export async function* followJsonLog(path: string, finished: () => boolean, signal: AbortSignal, skip = 0): AsyncGenerator<LogEntry> {
  let offset = 0;
  while (!signal.aborted) {
    const done = finished(); // checked before reading, so the last read sees everything
    const size = existsSync(path) ? (await stat(path)).size : 0;
    if (size > offset) {
      const end = Math.min(size, offset + FOLLOW_CHUNK);
      const bytes = Buffer.from(await Bun.file(path).slice(offset, end).arrayBuffer());
      const lastNewline = bytes.lastIndexOf(10);
      if (lastNewline >= 0) {
        offset += lastNewline + 1;
        for (const line of bytes.subarray(0, lastNewline).toString("utf8").split("\n")) {
          const entry = parseLine(line);
          if (entry && skip-- <= 0) yield entry;
        }
        continue;
      }
      if (end - offset === FOLLOW_CHUNK) offset = end; // a line longer than a chunk: skip it rather than stall
    }
    if (done) return;
    await Bun.sleep(FOLLOW_POLL_MS);
  }
}

/** How many entries a log holds, for `--tail N` with `--follow`: skip all but the last N. */
export async function countEntries(path: string): Promise<number> {
  if (!existsSync(path)) return 0;
  let count = 0;
  for await (const chunk of createReadStream(path)) {
    for (const byte of chunk as Buffer) if (byte === 10) count++;
  }
  return count;
}
