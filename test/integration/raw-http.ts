/**
 * HTTP/1.1 by hand over the daemon's unix socket, for what fetch will not send: unknown
 * methods, invalid UTF-8, truncated bodies, a half-closed request, a client that leaves after
 * N bytes of the answer.
 */
import { connect, type Socket } from "node:net";

export interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

/** `head` is the request line and headers (without the blank line); `Connection: close` is added. */
export function rawRequest(socketPath: string, head: string, body: Uint8Array = new Uint8Array(0), options: { halfClose?: boolean; timeoutMs?: number } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${options.timeoutMs ?? 10_000} ms to ${head.split("\r\n")[0]}`));
    }, options.timeoutMs ?? 10_000);
    socket.on("connect", () => {
      socket.write(`${head}\r\nConnection: close\r\n\r\n`);
      socket.write(body);
      if (options.halfClose) socket.end();
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (err) => {
      // A server that answered before reading the whole body (413) closes on the rest: EPIPE.
      if (chunks.length > 0) return;
      clearTimeout(timer);
      reject(err);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (err) {
        reject(err);
      }
    });
  });
}

export function parseResponse(raw: Buffer): RawResponse {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) throw new Error(`no response head in ${JSON.stringify(raw.subarray(0, 200).toString())}`);
  const [statusLine, ...lines] = raw.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine!)?.[1]);
  const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
  let body = raw.subarray(end + 4);
  if (headers.get("transfer-encoding") === "chunked") body = dechunk(body);
  return { status, headers, body };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = data.indexOf("\r\n", offset);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(offset, lineEnd).toString("latin1"), 16);
    if (!size) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/**
 * Sends a request, reads `bytes` of the answer, and hangs up; sooner if the answer is shorter,
 * or still coming after `maxMs` (a followed log, an attach).
 */
export function readThenLeave(socketPath: string, head: string, bytes: number, maxMs = 500): Promise<number> {
  return new Promise((resolve) => {
    const socket: Socket = connect(socketPath);
    let got = 0;
    const leave = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(got);
    };
    const timer = setTimeout(leave, maxMs);
    socket.on("connect", () => socket.write(`${head}\r\n\r\n`));
    socket.on("data", (chunk: Buffer) => {
      got += chunk.length;
      if (got >= bytes) leave();
    });
    socket.on("error", leave);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(got);
    });
  });
}
