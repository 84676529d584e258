/**
 * The daemon's side of a container start: run stage 2 with the spec and the container's
 * stdio, then follow the sync pipe until every stage has let go of it. Stage 3's copy closes
 * on execve, so EOF without an error message means the user's command is running. With a
 * terminal, stage 3 reports its pty master on the way; the daemon takes a copy and acks.
 * On the bridge, `connect` runs once the init's PID is known, and its ack lets stage 3 go on
 * (the order is in spec.ts).
 */
import { closeSync, writeSync } from "node:fs";
import * as sys from "../../ffi/sys.ts";
import { selfCommand } from "../util/self.ts";
import { SPEC_ENV, STAGE_NAMESPACES, type LaunchSpec, type SyncMessage } from "./spec.ts";

export interface Stdio {
  stdin: number | "ignore";
  stdout: number | "ignore";
  stderr: number | "ignore";
}

export interface Launched {
  /** The container's init, as the host sees it. */
  pid: number;
  /** The terminal master, when the spec asked for a terminal. */
  terminal?: number;
}

/** The container could not be started; `exitCode` is what Docker records for it (125/126/127). */
export class LaunchError extends Error {
  constructor(message: string, readonly exitCode: number, readonly pid?: number) {
    super(message);
  }
}

export interface LaunchOptions {
  /** The client's terminal size, set on the pty before the process looks at it. */
  terminalSize?: { rows: number; cols: number };
  /** Without `terminalSize`: waits for the client to tell it (a resize), holding the process until then. */
  awaitTerminalSize?: () => Promise<{ rows: number; cols: number } | undefined>;
  /** Runs once the PID is known, before stage 3 goes on (the bridge's veth). */
  connect?: (initPid: number) => void;
  /** The stage to start: a container's stage 2 by default, or an exec's join stage (src/exec/). */
  stage?: string;
  /** More descriptors for the stage, from fd 5 on (an exec's namespaces). */
  fds?: number[];
}

export async function launch(spec: LaunchSpec | object, stdio: Stdio, options: LaunchOptions = {}): Promise<Launched> {
  const { terminalSize, connect } = options;
  const sync = sys.pipe();
  const ack = sys.pipe();
  let stage2;
  try {
    stage2 = Bun.spawn([...selfCommand(), options.stage ?? STAGE_NAMESPACES], {
      env: { [SPEC_ENV]: JSON.stringify(spec) },
      stdio: [stdio.stdin, stdio.stdout, stdio.stderr, sync.write, ack.read, ...(options.fds ?? [])],
    });
  } finally {
    closeSync(sync.write);
    closeSync(ack.read);
  }
  const launched: Partial<Launched> = {};
  let error: { message: string; exitCode: number } | undefined;
  try {
    for await (const message of messages(sync.read)) {
      if (message.type === "pid") {
        launched.pid = message.pid;
        if (connect) {
          try {
            connect(message.pid);
            writeSync(ack.write, "1");
          } catch (err) {
            // Without the ack stage 3 gives up and exits; this error is the one to report.
            error = { message: `cannot connect the container to its networks: ${(err as Error).message}`, exitCode: 125 };
            closeSync(ack.write);
            ack.write = -1;
          }
        }
      } else if (message.type === "error") error ??= message;
      else if (message.type === "console" && launched.pid !== undefined) {
        launched.terminal = sys.takeDescriptor(launched.pid, message.fd);
        // Sized before stage 3 goes on, so the command's first look at its window is right.
        const size = terminalSize ?? (await options.awaitTerminalSize?.());
        if (size) sys.setWindowSize(launched.terminal, size.rows, size.cols);
        writeSync(ack.write, "1");
      }
    }
  } finally {
    if (ack.write !== -1) closeSync(ack.write);
  }
  const stage2Exit = await stage2.exited;
  if (error) {
    if (launched.terminal !== undefined) closeSync(launched.terminal);
    throw new LaunchError(error.message, error.exitCode, launched.pid);
  }
  if (launched.pid === undefined) throw new LaunchError(`container init did not start (stage 2 exited with ${stage2Exit})`, 125);
  return launched as Launched;
}

/** The sync pipe's JSON lines, as they arrive, until every writer has closed it. */
async function* messages(fd: number): AsyncGenerator<SyncMessage> {
  let pending = "";
  const decoder = new TextDecoder();
  try {
    for await (const chunk of Bun.file(fd).stream()) {
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) if (line) yield JSON.parse(line) as SyncMessage;
    }
  } finally {
    closeSync(fd);
  }
}
