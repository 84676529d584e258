/**
 * Splits the Engine API's multiplexed stream (attach, logs of a non-tty container) back into
 * stdout and stderr. Each frame is `[stream, 0, 0, 0, size as big-endian u32]` + payload,
 * stream 1 = stdout, 2 = stderr. Frames arrive cut anywhere across chunks, so the header and
 * the payload are both followed byte by byte rather than buffered whole.
 */

export interface Sink {
  /** Like a Node stream: false means "wait for drain before writing more". */
  write(chunk: Uint8Array): boolean;
}

/** A sink that can tell us when it has drained, such as process.stdout. */
export type Output = Sink & { once(event: "drain", listener: () => void): unknown };

const HEADER_SIZE = 8;
const STDERR = 2;

export class FrameDemuxer<S extends Sink = Sink> {
  private readonly header = new Uint8Array(HEADER_SIZE);
  private headerFilled = 0;
  private payloadLeft = 0;
  private target: S;

  constructor(
    private readonly stdout: S,
    private readonly stderr: S,
  ) {
    this.target = stdout;
  }

  /** Writes what `chunk` completes; returns the sinks that asked the caller to wait for drain. */
  push(chunk: Uint8Array): Set<S> {
    const congested = new Set<S>();
    let offset = 0;
    while (offset < chunk.length) {
      if (this.payloadLeft === 0) {
        const take = Math.min(HEADER_SIZE - this.headerFilled, chunk.length - offset);
        this.header.set(chunk.subarray(offset, offset + take), this.headerFilled);
        this.headerFilled += take;
        offset += take;
        if (this.headerFilled < HEADER_SIZE) break;
        this.headerFilled = 0;
        this.target = this.header[0] === STDERR ? this.stderr : this.stdout;
        this.payloadLeft = new DataView(this.header.buffer).getUint32(4);
        continue;
      }
      const take = Math.min(this.payloadLeft, chunk.length - offset);
      if (!this.target.write(chunk.subarray(offset, offset + take))) congested.add(this.target);
      this.payloadLeft -= take;
      offset += take;
    }
    return congested;
  }
}
