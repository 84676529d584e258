/**
 * One client's connection, between the listening socket and the HTTP server. Bun's node:http
 * drops a connection as soon as the client shuts down its write side, even with a request still
 * being answered; Docker (Go's net/http) answers it, and many clients half-close after sending
 * (`POST …/start` then shutdown(SHUT_WR) gets 204 from dockerd). So the HTTP server is handed
 * this Duplex instead of the socket: the client's EOF reaches the server only once no answer is
 * owed, or at once on an upgraded (attach) connection, where EOF means "no more input". A client
 * that goes away for good (the socket closes) destroys it, which cancels any response stream.
 */
import { Duplex } from "node:stream";
import type { Socket } from "node:net";

export class ClientConnection extends Duplex {
  readonly #socket: Socket;
  #inFlight = 0;
  #clientEnded = false;
  #upgraded = false;

  constructor(socket: Socket) {
    super({ allowHalfOpen: true });
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
    socket.on("end", () => {
      this.#clientEnded = true;
      this.#deliverEnd();
    });
    socket.on("close", () => this.destroy());
    socket.on("error", () => this.destroy());
  }

  /** A request on this connection is being answered; the client's EOF waits until `res` is done. */
  answering(res: { once(event: "close" | "finish", listener: () => void): unknown }): void {
    this.#inFlight++;
    let done = false;
    const finished = () => {
      if (done) return;
      done = true;
      this.#inFlight--;
      this.#deliverEnd();
    };
    res.once("finish", finished);
    res.once("close", finished);
  }

  /** The connection now carries a raw stream (attach): the client's EOF is its end of input. */
  markUpgraded(): void {
    this.#upgraded = true;
    this.#deliverEnd();
  }

  #deliverEnd(): void {
    if (!this.#clientEnded || this.destroyed) return;
    if (this.#upgraded) {
      this.push(null);
      return;
    }
    // Nothing owed: close our side too, once what was written has gone out.
    if (this.#inFlight === 0) this.#socket.end(() => this.destroy());
  }

  override _read(): void {
    this.#socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#socket.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#socket.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#socket.destroy();
    callback(error);
  }
}
