/**
 * POST /containers/{id}/attach. Clients send `Upgrade: tcp` and expect `101 UPGRADED`, then
 * the raw socket carries the container's output (framed unless it has a tty). The docker
 * CLI half-closes its side at once when it has no stdin to send; the output must keep
 * flowing until the container exits, then the server closes.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Engine } from "../src/engine.ts";
import type { ContainerService } from "../src/container/service.ts";
import type { ContainerRecord } from "../src/container/record.ts";
import { errorResponse, statusOf } from "./errors.ts";
import { parseBool } from "./query.ts";
import { frame } from "./render/stream.ts";
import { API_VERSION } from "./version.ts";

export function attachStream(containers: ContainerService, record: ContainerRecord, query: URLSearchParams): ReadableStream<Uint8Array> {
  const wanted = { stdout: parseBool(query.get("stdout") ?? undefined), stderr: parseBool(query.get("stderr") ?? undefined) };
  const tty = record.Config.Tty;
  let detach = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const attachment = containers.attach(record.Id, (stream, chunk) => {
        if (wanted[stream]) controller.enqueue(frame(stream, chunk, tty));
      });
      detach = attachment.detach;
      attachment.done.then(() => controller.close()).catch(() => {});
    },
    cancel() {
      detach();
    },
  });
}

const ATTACH_PATH = /^\/containers\/([^/]+)\/attach$/;

/** Serves an upgrade request on its raw socket; returns false for paths that are not attach. */
export async function handleUpgrade(engine: Engine, req: IncomingMessage, socket: Duplex): Promise<void> {
  const url = new URL(req.url ?? "/", "http://bunker");
  const match = ATTACH_PATH.exec(url.pathname);
  if (!match || req.method !== "POST") {
    return writeError(socket, 404, `page not found: ${req.method} ${url.pathname}`);
  }
  let record: ContainerRecord;
  let output: ReadableStream<Uint8Array>;
  try {
    record = engine.containers.get(decodeURIComponent(match[1]));
    output = attachStream(engine.containers, record, url.searchParams);
  } catch (err) {
    return writeError(socket, statusOf(err), (err as Error).message);
  }
  socket.write(
    "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n" +
      `Api-Version: ${API_VERSION}\r\n\r\n`,
  );
  // stdin is not wired yet: drain whatever the client sends so it never blocks.
  socket.on("data", () => {});
  const reader = output.getReader();
  socket.on("close", () => reader.cancel().catch(() => {}));
  socket.on("error", () => reader.cancel().catch(() => {}));
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (!socket.write(value)) await new Promise((resolve) => socket.once("drain", resolve));
    }
  } finally {
    socket.end();
  }
}

async function writeError(socket: Duplex, status: number, message: string): Promise<void> {
  const res = errorResponse(status, message);
  const body = await res.text();
  socket.end(`HTTP/1.1 ${status} ${status === 404 ? "Not Found" : "Error"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
