/** Signal names as the API sends them ("KILL", "SIGTERM", "15") to numbers. */
import { constants } from "node:os";
import { InvalidArgumentError } from "../errors.ts";

export function parseSignal(value: string): number {
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    if (n > 0 && n < 65) return n;
  } else {
    const name = value.toUpperCase().replace(/^SIG/, "");
    const n = (constants.signals as Record<string, number>)[`SIG${name}`];
    if (n !== undefined) return n;
  }
  throw new InvalidArgumentError(`Invalid signal: ${value}`);
}
