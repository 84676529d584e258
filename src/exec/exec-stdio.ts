/**
 * An exec'd process's stdio, held by the daemon for as long as it runs: anonymous pipes (the
 * process's ends go to it, the daemon keeps the others), or with `-t` the master of the pty the
 * process opened in the container's devpts. Its output goes only to the client that started
 * it (Docker does not log an exec), delivered to the listener given up front so nothing the
 * process prints before the client is connected is lost.
 */
import { closeSync, constants, openSync } from "node:fs";
import * as sys from "../../ffi/sys.ts";
import { FdWriter } from "../util/fd-writer.ts";
import { forEachChunk } from "../util/fd-chunks.ts";
import type { Stdio } from "../start/launch.ts";
import type { StreamName } from "../container/json-log.ts";

export type ExecOutputListener = (stream: StreamName, chunk: Uint8Array) => void;

export class ExecStdio {
  #stdin: FdWriter | undefined;
  #terminal: number | undefined;
  #pumps: Promise<void>[] = [];

  private constructor(private readonly listener: ExecOutputListener) {}

  /** Pipes for a process without a terminal; `processEnds` go to it, then `closeProcessEnds`. */
  static forPipes(listener: ExecOutputListener, stdin: boolean, outputs: { stdout: boolean; stderr: boolean }): { stdio: ExecStdio; processEnds: Stdio } {
    const stdio = new ExecStdio(listener);
    const ends: Stdio = { stdin: "ignore", stdout: "ignore", stderr: "ignore" };
    if (stdin) {
      const pipe = sys.pipe();
      sys.setNonBlocking(pipe.write);
      stdio.#stdin = new FdWriter(pipe.write);
      ends.stdin = pipe.read;
    }
    for (const stream of ["stdout", "stderr"] as const) {
      if (!outputs[stream]) {
        ends[stream] = openSync("/dev/null", constants.O_WRONLY);
        continue;
      }
      const pipe = sys.pipe();
      ends[stream] = pipe.write;
      stdio.#pumps.push(stdio.#pump(stream, pipe.read));
    }
    return { stdio, processEnds: ends };
  }

  /** With a terminal: input and output through the master, once `connectTerminal` has it. */
  static forTerminal(listener: ExecOutputListener): ExecStdio {
    return new ExecStdio(listener);
  }

  static closeProcessEnds(ends: Stdio): void {
    for (const fd of [ends.stdin, ends.stdout, ends.stderr]) if (typeof fd === "number") closeSync(fd);
  }

  connectTerminal(master: number): void {
    sys.setNonBlocking(master);
    this.#terminal = master;
    this.#stdin = new FdWriter(sys.duplicate(master));
    this.#pumps.push(this.#pump("stdout", master));
  }

  /** Settles once every output has ended: the process and everything holding its output are gone. */
  get closed(): Promise<void> {
    return Promise.all(this.#pumps).then(() => {});
  }

  write(chunk: Uint8Array): void {
    this.#stdin?.write(chunk);
  }

  /** The client's input ended: the process reads EOF (not on a terminal, whose input lives as long as the session). */
  closeStdin(): void {
    if (this.#terminal !== undefined) return;
    this.#closeInput();
  }

  resize(rows: number, cols: number): void {
    if (this.#terminal !== undefined) sys.setWindowSize(this.#terminal, rows, cols);
  }

  /** The client left: its output has nowhere to go, and the process's input ends. */
  close(): void {
    this.#closeInput();
  }

  #closeInput(): void {
    const stdin = this.#stdin;
    this.#stdin = undefined;
    stdin?.close().catch(() => {});
  }

  async #pump(stream: StreamName, fd: number): Promise<void> {
    try {
      await forEachChunk(fd, (chunk) => this.listener(stream, chunk));
    } finally {
      if (fd === this.#terminal) {
        this.#terminal = undefined;
        this.#closeInput();
      }
      closeSync(fd);
    }
  }
}
