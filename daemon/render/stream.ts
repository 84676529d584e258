/** Stream encodings of the Engine API: the 8-byte multiplexing header and JSON message streams. */
import type { StreamName } from "../../src/container/json-log.ts";

const STREAM_IDS: Record<StreamName, number> = { stdout: 1, stderr: 2 };

/** `[stream, 0, 0, 0, size (big-endian u32)]` then the payload; raw bytes for a tty container. */
export function frame(stream: StreamName, payload: Uint8Array, tty: boolean): Uint8Array {
  if (tty) return payload;
  const out = new Uint8Array(8 + payload.length);
  out[0] = STREAM_IDS[stream];
  new DataView(out.buffer).setUint32(4, payload.length);
  out.set(payload, 8);
  return out;
}

/** One message of a JSON stream (pull, import, build). dockerd ends each with CRLF. */
export function jsonMessage(message: object): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(message)}\r\n`);
}

/**
 * A JSON message stream being written (pull, push, build, insert): the body to answer with,
 * and a writer that never throws, since the client may have gone while the work goes on.
 */
export function jsonMessageStream(): { body: ReadableStream<Uint8Array>; write(message: object): Promise<void>; close(): void } {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  return {
    body: readable,
    write: (message) => writer.write(jsonMessage(message)).catch(() => {}),
    close: () => void writer.close().catch(() => {}),
  };
}
