/** Blob bytes checked as they stream: never more than the descriptor's size, and the digest compared at the end. */
import { createHash } from "node:crypto";
import { DigestMismatchError } from "../errors.ts";

/**
 * Passes `source` through, counting and hashing; throws before the last byte is handed on if
 * the blob is longer or shorter than `size` or its sha256 is not `digest`, so whatever
 * consumes it fails instead of keeping a wrong blob.
 */
export async function* verified(source: AsyncIterable<Uint8Array>, digest: string, size: number, onBytes?: (total: number) => void): AsyncGenerator<Uint8Array> {
  const hash = createHash("sha256");
  let total = 0;
  let held: Uint8Array | undefined;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > size) throw new DigestMismatchError(`filesystem layer verification failed for digest ${digest}: more than the ${size} bytes its manifest says`);
    hash.update(chunk);
    onBytes?.(total);
    // One chunk is held back, so the consumer sees the end only after the check below.
    if (held) yield held;
    held = chunk;
  }
  const actual = `sha256:${hash.digest("hex")}`;
  if (total !== size || actual !== digest) throw new DigestMismatchError(`filesystem layer verification failed for digest ${digest} (got ${actual}, ${total} bytes)`);
  if (held) yield held;
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}
