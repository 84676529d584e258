/** Entry of stage 3: set up the inside, then exec. Any failure is reported to the daemon as the start error. */
import { readSpecFromEnv } from "./spec.ts";
import { setupInside } from "./3-setup-inside.ts";
import { execProcess, ExecError } from "./4-exec.ts";
import { failStage } from "./sync.ts";

export function runStageInside(): void {
  try {
    const spec = readSpecFromEnv();
    setupInside(spec);
    execProcess(spec); // execve: does not return
  } catch (err) {
    failStage(err, err instanceof ExecError ? err.exitCode : 125);
  }
}
