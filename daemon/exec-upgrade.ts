/**
 * `POST /exec/{id}/start` with `Upgrade: tcp`, as the docker CLI and docker-py send it: the
 * JSON body (`{"Detach":false,"Tty":…}`) comes first on the socket, then the client's input.
 * After `101 UPGRADED` the socket carries the process's output (framed unless it has a tty)
 * until it exits; the client's half-close ends its input; the detach keys end the session and
 * leave the process running, as under Docker.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Engine } from "../src/engine.ts";
import type { ExecSession } from "../src/exec/exec-service.ts";
import { DEFAULT_DETACH_KEYS, DetachKeyScanner, parseDetachKeys } from "../src/util/detach-keys.ts";
import { statusOf, writeErrorToSocket } from "./errors.ts";
import { writeUpgraded } from "./attach.ts";
import { frame } from "./render/stream.ts";
import { execStartBody } from "./schemas/exec.ts";
import { issueMessage, JSON_BODY_LIMIT } from "./validate.ts";
import { InvalidArgumentError } from "../src/errors.ts";

/** The request body, `content-length` bytes off the socket; what follows stays there for the session. */
async function readBody(req: IncomingMessage, socket: Duplex): Promise<string> {
  const length = Number(req.headers["content-length"] ?? 0);
  if (!Number.isSafeInteger(length) || length < 0 || length > JSON_BODY_LIMIT) throw new InvalidArgumentError("invalid Content-Length");
  let body = Buffer.alloc(0);
  while (body.length < length) {
    const chunk: Buffer | null = socket.read();
    if (chunk === null) {
      await new Promise<void>((resolve, reject) => {
        socket.once("readable", resolve);
        socket.once("end", () => reject(new InvalidArgumentError("the client left before its request body was read")));
      });
      continue;
    }
    body = Buffer.concat([body, chunk]);
  }
  if (body.length > length) socket.unshift(body.subarray(length));
  return body.subarray(0, length).toString();
}

function parseJson(text: string): unknown {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidArgumentError("invalid exec start body: not JSON");
  }
}

/**
 * The 101 goes out before the process starts: a client with a terminal sends its window size
 * as a resize once it has the 101, and the process waits for that (ExecService). A start that
 * fails after it is told on the stream, as dockerd does.
 */
export async function serveExecStart(engine: Engine, req: IncomingMessage, id: string, socket: Duplex): Promise<void> {
  let tty: boolean;
  let scanner: DetachKeyScanner;
  let start: { detach: boolean; consoleSize?: [number, number] };
  try {
    const parsed = execStartBody.safeParse(parseJson(await readBody(req, socket)));
    if (!parsed.success) throw new InvalidArgumentError(issueMessage(parsed.error, parsed.data));
    engine.execs.checkStartable(id);
    const exec = engine.execs.get(id);
    tty = exec.ProcessConfig.tty;
    scanner = new DetachKeyScanner(parseDetachKeys(exec.DetachKeys || DEFAULT_DETACH_KEYS));
    start = { detach: parsed.data?.Detach ?? false, consoleSize: parsed.data?.ConsoleSize ?? undefined };
  } catch (err) {
    return writeErrorToSocket(socket, statusOf(err), (err as Error).message);
  }
  await writeUpgraded(socket);
  let session: ExecSession;
  try {
    session = await engine.execs.start(id, start.detach, (stream, chunk) => socket.write(frame(stream, chunk, tty)), start.consoleSize);
  } catch (err) {
    socket.end(frame("stderr", new TextEncoder().encode(`${(err as Error).message}\r\n`), tty));
    return;
  }
  let detached = false;
  socket.on("data", (chunk: Buffer) => {
    const { forward, detach } = scanner.feed(chunk);
    if (forward.length) session.write(forward);
    if (detach) {
      detached = true;
      session.leave();
      socket.end();
    }
  });
  socket.on("end", () => session.closeStdin());
  socket.on("close", () => session.leave());
  socket.on("error", () => session.leave());
  await session.exited;
  if (!detached) socket.end();
}
