/** Messages from a start stage to the daemon, one JSON line each on the sync descriptor. */
import { writeSync } from "node:fs";
import { SYNC_FD, type SyncMessage } from "./spec.ts";

export function report(message: SyncMessage): void {
  writeSync(SYNC_FD, `${JSON.stringify(message)}\n`);
}

/** Ends a stage that failed before the user's command could run: the daemon turns this into the start error. */
export function failStage(err: unknown, exitCode: number): never {
  const message = err instanceof Error ? err.message : String(err);
  try {
    report({ type: "error", message, exitCode });
  } finally {
    process.exit(exitCode);
  }
}
