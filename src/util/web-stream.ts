/**
 * An async iterable as a web ReadableStream (what Hono and fetch send), pulled only as fast as
 * it is read. `onEnd` runs exactly once, when the stream ends, fails, or is canceled (a client
 * that disconnects), so whatever the bytes came from is released on every path.
 */
export function toWebStream(source: AsyncIterable<Uint8Array>, onEnd: () => Promise<void> | void = () => {}): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  let ended = false;
  const end = async () => {
    if (ended) return;
    ended = true;
    await onEnd();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (!next.done) return controller.enqueue(next.value);
        await end();
        controller.close();
      } catch (err) {
        await end();
        controller.error(err);
      }
    },
    async cancel() {
      try {
        await iterator.return?.();
      } finally {
        await end();
      }
    },
  });
}
