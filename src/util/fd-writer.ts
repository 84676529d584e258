/**
 * Writes to a non-blocking descriptor (a pipe or a terminal master) in order, one write in
 * flight, waiting out EAGAIN when the reader is slow, so the event loop never blocks on a
 * container that does not read its input. Bun's FileSink is not used here: made before a
 * reader of the same terminal starts, it turns that reader into a pread on the device (ESPIPE).
 */
import { closeSync, write } from "node:fs";

const RETRY_MS = 10;

function writeOnce(fd: number, data: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => write(fd, data, (err, written) => (err ? reject(err) : resolve(written))));
}

export class FdWriter {
  #queue: Uint8Array[] = [];
  #flushing: Promise<void> | undefined;
  #closed = false;

  constructor(readonly fd: number) {}

  write(chunk: Uint8Array): void {
    if (this.#closed) return;
    this.#queue.push(chunk);
    this.#flushing ??= this.#flush().finally(() => (this.#flushing = undefined));
  }

  /** Writes what is queued, then closes the descriptor. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#flushing;
    closeSync(this.fd);
  }

  async #flush(): Promise<void> {
    while (this.#queue.length) {
      let data = Buffer.concat(this.#queue.splice(0));
      while (data.length) {
        try {
          data = data.subarray(await writeOnce(this.fd, data));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "EAGAIN") return; // the reader is gone: input has nowhere to go
          await Bun.sleep(RETRY_MS);
        }
      }
    }
  }
}
