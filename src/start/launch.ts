/**
 * The daemon's side of a container start: run stage 2 with the spec and the container's
 * stdio, then read the sync pipe until every stage has let go of it. Stage 3's copy closes
 * on execve, so EOF without an error message means the user's command is running.
 */
import { closeSync } from "node:fs";
import * as sys from "../../ffi/sys.ts";
import { selfCommand } from "../util/self.ts";
import { SPEC_ENV, STAGE_NAMESPACES, type LaunchSpec, type SyncMessage } from "./spec.ts";

export interface Stdio {
  stdin: number | "ignore";
  stdout: number;
  stderr: number;
}

/** The container could not be started; `exitCode` is what Docker records for it (125/126/127). */
export class LaunchError extends Error {
  constructor(message: string, readonly exitCode: number, readonly pid?: number) {
    super(message);
  }
}

export async function launch(spec: LaunchSpec, stdio: Stdio): Promise<number> {
  const sync = sys.pipe();
  let stage2;
  try {
    stage2 = Bun.spawn([...selfCommand(), STAGE_NAMESPACES], {
      env: { [SPEC_ENV]: JSON.stringify(spec) },
      stdio: [stdio.stdin, stdio.stdout, stdio.stderr, sync.write],
    });
  } finally {
    closeSync(sync.write);
  }
  const messages = await readMessages(sync.read);
  const stage2Exit = await stage2.exited;
  const pid = messages.find((m) => m.type === "pid")?.pid;
  const error = messages.find((m) => m.type === "error");
  if (error) throw new LaunchError(error.message, error.exitCode, pid);
  if (pid === undefined) throw new LaunchError(`container init did not start (stage 2 exited with ${stage2Exit})`, 125);
  return pid;
}

async function readMessages(fd: number): Promise<(SyncMessage & { pid?: number })[]> {
  const text = await new Response(Bun.file(fd).stream()).text();
  closeSync(fd);
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SyncMessage);
}
