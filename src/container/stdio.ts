/**
 * A container's stdout and stderr: two named pipes in its directory. The daemon holds the
 * read ends; the container holds the only write ends. Named, because a restarted daemon
 * can open them again and keep logging a container that survived it. Every chunk goes to
 * the json-file log and to whoever is attached.
 */
import { closeSync, existsSync, openSync, constants } from "node:fs";
import { join } from "node:path";
import * as sys from "../../ffi/sys.ts";
import { JsonLogWriter, type StreamName } from "./json-log.ts";
import type { LogFile } from "./log-options.ts";

export type OutputListener = (stream: StreamName, chunk: Uint8Array) => void;

const STREAMS: StreamName[] = ["stdout", "stderr"];

export class ContainerStdio {
  readonly #listeners = new Set<OutputListener>();
  readonly #log: JsonLogWriter;
  /** Settles once both streams reached EOF (every process of the container is gone) and the log is flushed. */
  readonly closed: Promise<void>;

  private constructor(dir: string, log: LogFile) {
    this.#log = new JsonLogWriter(log);
    const readers = STREAMS.map((stream) => this.#pump(stream, this.#openReader(dir, stream)));
    this.closed = Promise.all(readers).then(() => this.#log.close());
  }

  /** For a start: the pipes are made and read; the returned write ends go to the container, then `closeWriteEnds`. */
  static forStart(dir: string, log: LogFile): { stdio: ContainerStdio; writeEnds: Record<StreamName, number> } {
    for (const stream of STREAMS) {
      const path = fifoPath(dir, stream);
      if (!existsSync(path)) sys.mkfifo(path, 0o600);
    }
    const stdio = new ContainerStdio(dir, log);
    // Blocking write ends: a reader exists, so open() returns at once, and the container sees ordinary blocking pipes.
    const writeEnds = { stdout: openSync(fifoPath(dir, "stdout"), constants.O_WRONLY), stderr: openSync(fifoPath(dir, "stderr"), constants.O_WRONLY) };
    return { stdio, writeEnds };
  }

  /** For a container that outlived the previous daemon: read its pipes again. */
  static reattach(dir: string, log: LogFile): ContainerStdio {
    return new ContainerStdio(dir, log);
  }

  static closeWriteEnds(writeEnds: Record<StreamName, number>): void {
    for (const fd of Object.values(writeEnds)) closeSync(fd);
  }

  subscribe(listener: OutputListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #openReader(dir: string, stream: StreamName): number {
    return openSync(fifoPath(dir, stream), constants.O_RDONLY | constants.O_NONBLOCK);
  }

  async #pump(stream: StreamName, fd: number): Promise<void> {
    try {
      for await (const chunk of Bun.file(fd).stream()) {
        this.#log.write(stream, chunk);
        for (const listener of this.#listeners) listener(stream, chunk);
      }
    } finally {
      closeSync(fd);
    }
  }
}

function fifoPath(dir: string, stream: StreamName): string {
  return join(dir, `${stream}.fifo`);
}
