/**
 * A container's stdio, held by the daemon. Without a terminal: named pipes in the container's
 * directory (stdout, stderr, and stdin when the container keeps stdin open); the container
 * holds the only write ends of the output pipes. Named, because a restarted daemon can open
 * them again and keep logging a container that survived it. With a terminal: the pty master.
 * Every output chunk goes to the json-file log and to whoever is attached.
 */
import { closeSync, existsSync, openSync, constants } from "node:fs";
import { join } from "node:path";
import * as sys from "../../ffi/sys.ts";
import { FdWriter } from "../util/fd-writer.ts";
import { forEachChunk } from "../util/fd-chunks.ts";
import type { Stdio } from "../start/launch.ts";
import { JsonLogWriter, type StreamName } from "./json-log.ts";
import type { LogFile } from "./log-options.ts";

export type OutputListener = (stream: StreamName, chunk: Uint8Array) => void;

const OUTPUTS: StreamName[] = ["stdout", "stderr"];

export class ContainerStdio {
  readonly #listeners = new Set<OutputListener>();
  readonly #log: JsonLogWriter;
  #stdin: FdWriter | undefined;
  #terminal: number | undefined;
  /** Input that arrived before the terminal did (`docker run -it` may type before start). */
  #earlyInput: Uint8Array[] | undefined;
  #outputsDone!: (done: Promise<unknown>) => void;
  /** Settles once the output has ended (every process of the container is gone) and the log is flushed. */
  readonly closed: Promise<void>;

  private constructor(log: LogFile) {
    this.#log = new JsonLogWriter(log);
    this.closed = new Promise<Promise<unknown>>((resolve) => (this.#outputsDone = resolve))
      .then((done) => done)
      .then(() => this.#log.close());
  }

  /**
   * For a start without a terminal: the pipes are made and read; `containerEnds` go to the
   * container as its stdin/stdout/stderr, then `closeContainerEnds`.
   */
  static forPipes(dir: string, log: LogFile, openStdin: boolean): { stdio: ContainerStdio; containerEnds: Stdio } {
    for (const stream of [...OUTPUTS, ...(openStdin ? ["stdin"] : [])]) {
      const path = fifoPath(dir, stream);
      if (!existsSync(path)) sys.mkfifo(path, 0o600);
    }
    const stdio = new ContainerStdio(log);
    stdio.#readOutputs(dir);
    if (openStdin) stdio.#openStdin(dir);
    // Blocking container ends: a reader (or writer) is there, so open() returns at once, and
    // the container sees ordinary blocking pipes.
    const containerEnds: Stdio = {
      stdin: openStdin ? openSync(fifoPath(dir, "stdin"), constants.O_RDONLY) : "ignore",
      stdout: openSync(fifoPath(dir, "stdout"), constants.O_WRONLY),
      stderr: openSync(fifoPath(dir, "stderr"), constants.O_WRONLY),
    };
    return { stdio, containerEnds };
  }

  /** For a start with a terminal: output and input go through the master, once `connectTerminal` has it. */
  static forTerminal(log: LogFile): ContainerStdio {
    const stdio = new ContainerStdio(log);
    stdio.#earlyInput = [];
    return stdio;
  }

  /** For a container that outlived the previous daemon: read its pipes again (a terminal died with that daemon). */
  static reattach(dir: string, log: LogFile, openStdin: boolean): ContainerStdio {
    const stdio = new ContainerStdio(log);
    stdio.#readOutputs(dir);
    if (openStdin && existsSync(fifoPath(dir, "stdin"))) stdio.#openStdin(dir);
    return stdio;
  }

  static closeContainerEnds(ends: Stdio): void {
    for (const fd of [ends.stdin, ends.stdout, ends.stderr]) if (typeof fd === "number") closeSync(fd);
  }

  connectTerminal(master: number): void {
    sys.setNonBlocking(master);
    this.#terminal = master;
    // Input through a descriptor of its own, closed on its own when the input ends.
    this.#stdin = new FdWriter(sys.duplicate(master));
    for (const chunk of this.#earlyInput?.splice(0) ?? []) this.#stdin.write(chunk);
    this.#earlyInput = undefined;
    this.#outputsDone(this.#pump("stdout", master));
  }

  /** Nothing will come: the start failed before the output was connected. */
  abandon(): void {
    this.#outputsDone(Promise.resolve());
  }

  subscribe(listener: OutputListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  write(chunk: Uint8Array): void {
    if (this.#stdin) this.#stdin.write(chunk);
    else this.#earlyInput?.push(chunk);
  }

  /**
   * The attached client closed its stdin and the container reads stdin once: the container
   * sees EOF. Not for a terminal, whose input lives as long as its session (as under Docker):
   * a client that detaches must not take the shell's keyboard away from the next attach.
   */
  closeStdin(): void {
    if (this.#terminal !== undefined) return;
    this.#closeInput();
  }

  #closeInput(): void {
    const stdin = this.#stdin;
    this.#stdin = undefined;
    this.#earlyInput = undefined;
    stdin?.close().catch(() => {});
  }

  resize(rows: number, cols: number): void {
    if (this.#terminal !== undefined) sys.setWindowSize(this.#terminal, rows, cols);
  }

  #readOutputs(dir: string): void {
    const readers = OUTPUTS.map((stream) => this.#pump(stream, openSync(fifoPath(dir, stream), constants.O_RDONLY | constants.O_NONBLOCK)));
    this.#outputsDone(Promise.all(readers));
  }

  #openStdin(dir: string): void {
    // Read-write and non-blocking: it never waits for a reader, and it keeps the pipe open
    // between attaches, so the container sees EOF only when the daemon closes it.
    this.#stdin = new FdWriter(openSync(fifoPath(dir, "stdin"), constants.O_RDWR | constants.O_NONBLOCK));
  }

  async #pump(stream: StreamName, fd: number): Promise<void> {
    try {
      await forEachChunk(fd, (chunk) => {
        this.#log.write(stream, chunk);
        for (const listener of this.#listeners) {
          try {
            listener(stream, chunk);
          } catch {
            // One client's failure (a closed connection) must not stop the log or the others.
          }
        }
      });
    } finally {
      if (fd === this.#terminal) {
        this.#terminal = undefined;
        this.#closeInput();
      }
      closeSync(fd);
    }
  }
}

function fifoPath(dir: string, stream: string): string {
  return join(dir, `${stream}.fifo`);
}
