/**
 * `export`: a container's whole filesystem as one tar, running or not. Its writable layer over
 * its image's layers is mounted read-only on the host for as long as the stream lasts, and
 * released when it ends, fails, or the client goes away.
 */
import { mountOverlayView } from "../image/overlay-view.ts";
import { packTree } from "../image/pack-tree.ts";

/** Mounts now (so a failure is an error response, not a broken stream), then streams on demand. */
export function exportFilesystem(tmpDir: string, layersDir: string, dirs: string[]): ReadableStream<Uint8Array> {
  const view = mountOverlayView(tmpDir, layersDir, dirs);
  let entries: AsyncIterator<Uint8Array>;
  try {
    entries = (packTree(view.root) as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  } catch (error) {
    view.release();
    throw error;
  }
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await entries.next();
          if (!next.done) return controller.enqueue(next.value);
          view.release();
          controller.close();
        } catch (error) {
          view.release();
          controller.error(error);
        }
      },
      async cancel() {
        try {
          await entries.return?.();
        } finally {
          view.release();
        }
      },
    },
    // Read only as fast as the client takes it.
    { highWaterMark: 0 },
  );
}
