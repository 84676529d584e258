/**
 * Docker's detach keys: a byte sequence in an attached client's input (ctrl-p,ctrl-q by default)
 * that ends the attach and leaves the container running. Bytes that start the sequence are
 * held back until it is complete, then dropped, or broken, then passed on.
 */
import { InvalidArgumentError } from "../errors.ts";

export const DEFAULT_DETACH_KEYS = "ctrl-p,ctrl-q";

/** "ctrl-p,ctrl-q" -> [0x10, 0x11]; "ctrl-@".."ctrl-_" and single characters, as Docker accepts. */
export function parseDetachKeys(spec: string): number[] {
  return spec.split(",").map((key) => {
    const ctrl = /^ctrl-(.)$/.exec(key);
    if (ctrl) {
      const c = ctrl[1];
      if (c >= "a" && c <= "z") return c.charCodeAt(0) - 96;
      if (c >= "@" && c <= "_") return c.charCodeAt(0) - 64;
    } else if (key.length === 1) {
      return key.charCodeAt(0);
    }
    throw new InvalidArgumentError(`Invalid detach keys (${spec}) provided`);
  });
}

export class DetachKeyScanner {
  #matched = 0;

  constructor(private readonly keys: number[]) {}

  /** The input to pass on, and whether the client asked to detach. */
  feed(chunk: Uint8Array): { forward: Uint8Array; detach: boolean } {
    if (this.keys.length === 0) return { forward: chunk, detach: false };
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.#matched]) {
        this.#matched++;
        if (this.#matched === this.keys.length) return { forward: Uint8Array.from(out), detach: true };
        continue;
      }
      // The sequence broke: what was held back was ordinary input after all.
      out.push(...this.keys.slice(0, this.#matched));
      this.#matched = byte === this.keys[0] ? 1 : 0;
      if (this.#matched === 0) out.push(byte);
    }
    return { forward: Uint8Array.from(out), detach: false };
  }
}
