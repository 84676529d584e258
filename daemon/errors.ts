/** The one place where engine error kinds become HTTP statuses. */
import type { Duplex } from "node:stream";
import { HTTPException } from "hono/http-exception";
import { ConflictError, ForbiddenError, InvalidArgumentError, NotFoundError, NotModifiedError, UnauthorizedError } from "../src/errors.ts";

export function statusOf(err: unknown): number {
  // Hono's own: a malformed JSON body (400), a body over the limit (413).
  if (err instanceof HTTPException) return err.status;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof ConflictError) return 409;
  if (err instanceof InvalidArgumentError) return 400;
  if (err instanceof ForbiddenError) return 403;
  if (err instanceof NotModifiedError) return 304;
  if (err instanceof UnauthorizedError) return 401;
  return 500;
}

/**
 * Docker's error body. The CLI parses it only when the content type is exactly
 * `application/json` (no charset), and then prints "Error response from daemon: <message>".
 */
export function errorResponse(status: number, message: string): Response {
  if (status === 304) return new Response(null, { status });
  return new Response(`${JSON.stringify({ message })}\n`, { status, headers: { "Content-Type": "application/json" } });
}

/** The same error written straight to a socket Hono does not own (an upgrade, a request the parser refused), then closed. */
export async function writeErrorToSocket(socket: Duplex, status: number, message: string): Promise<void> {
  const body = await errorResponse(status, message).text();
  socket.end(`HTTP/1.1 ${status} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
