/**
 * Every chunk read from a pipe or terminal descriptor, handed to `deliver` as it comes, until
 * the end. A delivery that throws (a client gone) costs nothing else; a read error ends the
 * output as its end does (a terminal master reads EIO once the last slave is closed).
 */
export async function forEachChunk(fd: number, deliver: (chunk: Uint8Array) => void): Promise<void> {
  try {
    for await (const chunk of Bun.file(fd).stream()) {
      try {
        deliver(chunk);
      } catch {
        // One consumer's failure must not stop the output.
      }
    }
  } catch {
    // The end of the output.
  }
}
