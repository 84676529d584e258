/**
 * An async iterable as a web ReadableStream (what Hono and fetch send), pulled only as fast as
 * it is read. This is how every streamed response of the daemon is made, so one mechanism
 * answers for clients that leave: `onEnd` runs exactly once, when the stream ends, fails, or is
 * canceled (the client disconnected at any byte), and a cancel returns the iterable, whose
 * `finally` blocks release what it holds. Producers that write rather than yield (tar-stream
 * packs) stop through `src/archive/pack-entry.ts` when their pack is destroyed.
 */
export function toWebStream(source: AsyncIterable<Uint8Array>, onEnd: () => Promise<void> | void = () => {}): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  let ended = false;
  const end = async () => {
    if (ended) return;
    ended = true;
    await onEnd();
  };
  return new ReadableStream<Uint8Array>(
    {
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
    },
    // Nothing is produced ahead of the socket.
    { highWaterMark: 0 },
  );
}
