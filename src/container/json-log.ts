/**
 * Docker's json-file log format: one JSON object a line, `{"log":"tick\n","stream":"stdout","time":"…"}`,
 * rotated by size into `<log>.1`, `<log>.2`, … (see log-options.ts). Writes and rotations go
 * through one queue with a single operation in flight, so lines keep their order, a rotation
 * never splits a write, and the event loop never blocks on the disk.
 */
import { open, readdir, rename, stat, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { nowRfc3339Nano } from "../util/timestamp.ts";
import { nextBatch, rotatedPath, type LogFile } from "./log-options.ts";

export type StreamName = "stdout" | "stderr";

export interface LogEntry {
  stream: StreamName;
  log: string;
  time: string;
}

export class JsonLogWriter {
  readonly #file: LogFile;
  readonly #partial: Record<StreamName, string> = { stdout: "", stderr: "" };
  #queue: Buffer[] = [];
  #writing = false;
  #drained: (() => void)[] = [];
  /** Opened by the first write, so a container that prints nothing leaves no file. */
  #handle: FileHandle | undefined;
  #size = 0;

  constructor(file: LogFile) {
    this.#file = file;
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
    await this.#handle?.close();
    this.#handle = undefined;
  }

  #enqueue(entry: LogEntry): void {
    this.#queue.push(Buffer.from(`${JSON.stringify(entry)}\n`));
    this.#flush();
  }

  #flush(): void {
    if (this.#writing) return;
    if (this.#queue.length === 0) {
      for (const resolve of this.#drained.splice(0)) resolve();
      return;
    }
    this.#writing = true;
    this.#writeBatch()
      // A failed write (a full disk) loses those lines, not the ones after them.
      .catch(() => {})
      .finally(() => {
        this.#writing = false;
        this.#flush();
      });
  }

  async #writeBatch(): Promise<void> {
    if (!this.#handle) {
      this.#handle = await open(this.#file.path, "a", 0o640);
      this.#size = (await this.#handle.stat()).size;
    }
    const { rotateFirst, count } = nextBatch(
      this.#queue.map((line) => line.length),
      this.#size,
      this.#file.maxSize,
    );
    if (rotateFirst) await this.#rotate();
    const data = Buffer.concat(this.#queue.splice(0, count));
    this.#size += data.length;
    await this.#handle!.write(data);
  }

  /** `<log>` becomes `<log>.1`, `.1` becomes `.2`, …; the oldest falls off the end. */
  async #rotate(): Promise<void> {
    const { path, maxFiles } = this.#file;
    await this.#handle!.close();
    this.#handle = undefined;
    if (maxFiles === 1) {
      await unlink(path);
    } else {
      for (let n = maxFiles - 1; n >= 1; n--) {
        await rename(n === 1 ? path : rotatedPath(path, n - 1), rotatedPath(path, n)).catch(ignoreMissing);
      }
    }
    this.#handle = await open(path, "a", 0o640);
    this.#size = 0;
  }
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== "ENOENT") throw err;
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
  /** Unix seconds; entries after it are skipped (`logs --until`). */
  until?: number;
}

export interface FollowOptions {
  /** Holds once nothing more will be written (the container exited and its log is flushed). */
  finished: () => boolean;
  signal: AbortSignal;
}

const FOLLOW_POLL_MS = 100;
const READ_CHUNK = 1 << 20;

/**
 * Streams a log's entries across its rotated files, oldest first, and with `follow` the ones
 * written later, until `finished()` holds and everything is read. Every file is opened up
 * front, so a rotation while reading renames files but changes no open descriptor; the live
 * file is followed by its descriptor, and when the path names a new file (the writer rotated)
 * the old one is read to its end before the new one is opened. Reads are bounded and end on
 * a newline, so a huge log never sits in memory whole, and `tail` counts lines first rather
 * than holding entries.
 */
export async function* readJsonLog(path: string, options: ReadOptions = {}, follow?: FollowOptions): AsyncGenerator<LogEntry> {
  if (options.tail === 0 && !follow) return;
  const snapshot = await openSnapshot(path);
  const rotated = snapshot.rotated;
  let live = snapshot.live;
  try {
    // Docker's order: the last `tail` lines, then those of them since `since`.
    let skip = options.tail === undefined ? 0 : Math.max(0, (await countLines([...rotated, ...(live ? [live] : [])])) - options.tail);
    const accept = (line: string): LogEntry | null => {
      if (skip > 0) {
        skip--;
        return null;
      }
      const entry = parseLine(line);
      if (!entry) return null;
      const at = Date.parse(entry.time) / 1000;
      if ((options.since !== undefined && at < options.since) || (options.until !== undefined && at > options.until)) return null;
      return entry;
    };
    for (const handle of rotated) {
      for await (const line of completeLines(handle, { offset: 0 })) {
        const entry = accept(line);
        if (entry) yield entry;
      }
    }
    let cursor = { offset: 0 };
    for (;;) {
      const done = follow ? follow.finished() : true; // checked before reading, so the last read sees everything
      if (live) {
        for await (const line of completeLines(live, cursor)) {
          const entry = accept(line);
          if (entry) yield entry;
        }
      }
      if (!follow || follow.signal.aborted) return;
      if (await replaced(path, live)) {
        // Rotated: finish the old file (the writer is done with it), then go on with the new one.
        if (live) {
          for await (const line of completeLines(live, cursor)) {
            const entry = accept(line);
            if (entry) yield entry;
          }
          await live.close();
        }
        live = await openIfExists(path);
        cursor = { offset: 0 };
        continue;
      }
      if (done) return;
      await Bun.sleep(FOLLOW_POLL_MS);
    }
  } finally {
    await Promise.all([...rotated, ...(live ? [live] : [])].map((handle) => handle.close()));
  }
}

/**
 * The live file and the rotated ones, oldest first, opened as one consistent set: the live
 * file is opened first and must still be the live one once the others are open, or a
 * rotation came in between and the set is opened again.
 */
async function openSnapshot(path: string): Promise<{ rotated: FileHandle[]; live: FileHandle | undefined }> {
  for (;;) {
    const live = await openIfExists(path);
    const rotated = await openRotated(path);
    if (!(await replaced(path, live))) return { rotated, live };
    await Promise.all([...rotated, ...(live ? [live] : [])].map((handle) => handle.close()));
  }
}

/** The rotated files that exist, oldest (highest number) first, opened. */
async function openRotated(path: string): Promise<FileHandle[]> {
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return [];
  }
  const numbers = names
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .map((name) => Number(name.slice(prefix.length)))
    .sort((a, b) => b - a);
  const handles: FileHandle[] = [];
  for (const n of numbers) {
    const handle = await openIfExists(rotatedPath(path, n));
    if (handle) handles.push(handle);
  }
  return handles;
}

async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** Whether `path` now names another file than `handle` (or a file appeared where there was none). */
async function replaced(path: string, handle: FileHandle | undefined): Promise<boolean> {
  const current = await stat(path).catch(() => undefined);
  if (!current) return false;
  if (!handle) return true;
  return current.ino !== (await handle.stat()).ino;
}

/** The complete lines of a file from `cursor.offset` to what is written so far, advancing the cursor. */
async function* completeLines(handle: FileHandle, cursor: { offset: number }): AsyncGenerator<string> {
  const buffer = Buffer.allocUnsafe(READ_CHUNK);
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, cursor.offset);
    if (bytesRead === 0) return;
    const lastNewline = buffer.subarray(0, bytesRead).lastIndexOf(10);
    if (lastNewline < 0) {
      if (bytesRead < READ_CHUNK) return; // a line still being written
      cursor.offset += bytesRead; // a line longer than a chunk: skip it rather than stall
      continue;
    }
    const text = buffer.subarray(0, lastNewline).toString("utf8");
    cursor.offset += lastNewline + 1;
    yield* text.split("\n");
  }
}

async function countLines(handles: FileHandle[]): Promise<number> {
  const buffer = Buffer.allocUnsafe(READ_CHUNK);
  let count = 0;
  for (const handle of handles) {
    for (let offset = 0; ; ) {
      const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
      const view = buffer.subarray(0, bytesRead);
      for (let i = view.indexOf(10); i !== -1; i = view.indexOf(10, i + 1)) count++;
    }
  }
  return count;
}
