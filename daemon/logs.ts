/** The body of GET /containers/{id}/logs: entries as frames (raw for a tty), optionally followed. */
import type { ContainerService } from "../src/container/service.ts";
import type { ContainerRecord } from "../src/container/record.ts";
import { countEntries, followJsonLog, type LogEntry } from "../src/container/json-log.ts";
import { frame } from "./render/stream.ts";

export interface LogQuery {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  timestamps: boolean;
  tail?: number;
  since?: number;
}

export function logStream(containers: ContainerService, record: ContainerRecord, query: LogQuery): ReadableStream<Uint8Array> {
  const abort = new AbortController();
  const tty = record.Config.Tty;
  const encoder = new TextEncoder();
  async function* entries(): AsyncGenerator<LogEntry> {
    if (!query.follow) {
      yield* containers.readLogs(record, { tail: query.tail, since: query.since });
      return;
    }
    const path = containers.logPath(record);
    const skip = query.tail === undefined ? 0 : Math.max(0, (await countEntries(path)) - query.tail);
    const live = containers.stdioOf(record);
    let finished = !live;
    live?.exited.then(() => (finished = true));
    for await (const entry of followJsonLog(path, () => finished, abort.signal, skip)) {
      if (query.since === undefined || Date.parse(entry.time) / 1000 >= query.since) yield entry;
    }
  }
  const iterator = entries();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const { value, done } = await iterator.next();
        if (done) return controller.close();
        if (!query[value.stream]) continue;
        const text = query.timestamps ? `${value.time} ${value.log}` : value.log;
        return controller.enqueue(frame(value.stream, encoder.encode(text), tty));
      }
    },
    cancel() {
      abort.abort();
    },
  });
}
