/**
 * POST /containers/{id}/attach. Clients send `Upgrade: tcp` and expect `101 UPGRADED`; then
 * the raw socket carries the container's output (framed unless it has a tty) and, with
 * stdin=1, the client's input. The docker CLI half-closes its side when its input ends (at
 * once when it has none): the output keeps flowing until the container exits, and the
 * container's stdin is closed if it reads stdin once. The detach keys end the attach alone.
 */
import { ConflictError } from "../src/errors.ts";
import type { Duplex } from "node:stream";
import type { Engine } from "../src/engine.ts";
import type { ContainerService } from "../src/container/service.ts";
import type { ContainerRecord } from "../src/container/record.ts";
import type { Attachment } from "../src/container/attachment.ts";
import { statusOf, writeErrorToSocket } from "./errors.ts";
import { parseBool } from "./query.ts";
import { frame } from "./render/stream.ts";
import { API_VERSION } from "./version.ts";
import { nowRfc3339Nano } from "../src/util/timestamp.ts";
import { DEFAULT_DETACH_KEYS, DetachKeyScanner, parseDetachKeys } from "../src/util/detach-keys.ts";

export interface AttachedOutput {
  output: ReadableStream<Uint8Array>;
  /** The live attachment; none with stream=0, which only replays the log. */
  attachment?: Attachment;
  /** logs=1: the output starts with the log so far. */
  replaysLog: boolean;
}

/**
 * What an attach sends: with logs=1 the log so far, then with stream=1 the live output. Live
 * output that arrives during the replay waits for it; the replay stops at the moment the live
 * attachment began, so nothing is shown twice.
 */
export function attachOutput(containers: ContainerService, record: ContainerRecord, query: URLSearchParams): AttachedOutput {
  if (record.State.Paused) throw new ConflictError("You cannot attach to a paused container, unpause it first");
  const wanted = { stdout: parseBool(query.get("stdout") ?? undefined), stderr: parseBool(query.get("stderr") ?? undefined) };
  const logs = parseBool(query.get("logs") ?? undefined);
  const stream = parseBool(query.get("stream") ?? undefined);
  const tty = record.Config.Tty;
  const encoder = new TextEncoder();
  const abort = new AbortController();
  let attachment: Attachment | undefined;
  const output = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      let held: Uint8Array[] | undefined = logs ? [] : undefined;
      const since = nowRfc3339Nano();
      if (stream) {
        attachment = containers.attach(record.Id, (name, chunk) => {
          if (!open || !wanted[name]) return;
          if (held) held.push(frame(name, chunk, tty));
          else controller.enqueue(frame(name, chunk, tty));
        });
        attachment.done
          .then(() => {
            open = false;
            controller.close();
          })
          .catch(() => {});
      }
      if (!logs) {
        if (!stream) controller.close();
        return;
      }
      const send = (chunk: Uint8Array) => {
        if (open) controller.enqueue(chunk);
      };
      void (async () => {
        const entries = containers.readLogs(record, {});
        try {
          for await (const entry of entries) {
            if (abort.signal.aborted || entry.time >= since) break;
            if (wanted[entry.stream]) send(frame(entry.stream, encoder.encode(entry.log), tty));
          }
        } catch {
          // No log yet: nothing to replay.
        }
        for (const chunk of held ?? []) send(chunk);
        held = undefined;
        if (!stream && open && !abort.signal.aborted) {
          open = false;
          controller.close();
        }
      })();
    },
    cancel() {
      abort.abort();
      attachment?.detach();
    },
  });
  return { output, attachment, replaysLog: logs };
}

const REPLAY_AFTER_HEADERS_MS = 20;

/** `101 UPGRADED` as dockerd sends it; resolves once written, so what follows comes after it. */
export function writeUpgraded(socket: Duplex): Promise<void> {
  return new Promise<void>((resolve) =>
    socket.write(
      "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n" +
        `Api-Version: ${API_VERSION}\r\n\r\n`,
      () => resolve(),
    ),
  );
}

/** Serves `POST /containers/{id}/attach` on its upgraded socket. */
export async function serveAttach(engine: Engine, url: URL, containerRef: string, socket: Duplex): Promise<void> {
  let attached: AttachedOutput;
  let scanner: DetachKeyScanner;
  let record: ContainerRecord;
  try {
    record = engine.containers.get(containerRef);
    scanner = new DetachKeyScanner(parseDetachKeys(url.searchParams.get("detachKeys") || DEFAULT_DETACH_KEYS));
    attached = attachOutput(engine.containers, record, url.searchParams);
  } catch (err) {
    return writeErrorToSocket(socket, statusOf(err), (err as Error).message);
  }
  const { output, attachment, replaysLog } = attached;
  await writeUpgraded(socket);
  // docker-py reads the 101 through a buffered file, then the stream from the raw socket: bytes
  // that arrive with the headers are lost in that buffer. A replayed log is ready at once, so it
  // waits for the client to have read the headers (a few ms) rather than racing them.
  if (replaysLog) await Bun.sleep(REPLAY_AFTER_HEADERS_MS);
  const takesInput = parseBool(url.searchParams.get("stdin") ?? undefined) && record.Config.OpenStdin;
  socket.on("data", (chunk: Buffer) => {
    if (!takesInput) return; // nothing to feed: drain it so the client never blocks
    const { forward, detach } = scanner.feed(chunk);
    if (forward.length) attachment?.write(forward);
    if (detach) attachment?.detach();
  });
  socket.on("end", () => {
    if (takesInput) attachment?.endInput();
  });
  const reader = output.getReader();
  const stop = () => reader.cancel().catch(() => {});
  socket.on("close", stop);
  socket.on("error", stop);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (!socket.write(value)) {
        await new Promise((resolve) => {
          socket.once("drain", resolve);
          socket.once("close", resolve);
        });
      }
    }
  } finally {
    socket.end();
  }
}
