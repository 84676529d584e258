/**
 * `export`: a container's whole filesystem as one tar, running or not. Its writable layer over
 * its image's layers is mounted read-only on the host for as long as the stream lasts, and
 * released when it ends, fails, or the client goes away.
 */
import { mountOverlayView } from "../image/overlay-view.ts";
import { packTree } from "../archive/pack-tree.ts";
import { toWebStream } from "../util/web-stream.ts";

/** Mounts now (so a failure is an error response, not a broken stream), then streams on demand. */
export function exportFilesystem(tmpDir: string, layersDir: string, dirs: string[]): ReadableStream<Uint8Array> {
  const view = mountOverlayView(tmpDir, layersDir, dirs);
  try {
    return toWebStream(packTree(view.root) as AsyncIterable<Uint8Array>, () => view.release());
  } catch (error) {
    view.release();
    throw error;
  }
}
