/**
 * stop, rm, kill, wait...: apply one request to every name given, in order, as docker does —
 * a failure is reported and the rest still run; the exit status is 1 if any failed.
 */
import { DaemonUnreachableError, errorLine } from "./client.ts";

/** `action` returns what to print on success (usually the name as given). */
export async function forEachTarget(names: string[], action: (name: string) => Promise<string>): Promise<number> {
  let status = 0;
  for (const name of names) {
    try {
      console.log(await action(name));
    } catch (error) {
      // No daemon means every other name would fail the same way: say it once.
      if (error instanceof DaemonUnreachableError) throw error;
      console.error(errorLine(error));
      status = 1;
    }
  }
  return status;
}
