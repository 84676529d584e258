/** The body of GET /containers/{id}/logs: entries as frames (raw for a tty), optionally followed. */
import type { ContainerService } from "../src/container/service.ts";
import type { ContainerRecord } from "../src/container/record.ts";
import type { LogEntry } from "../src/container/json-log.ts";
import { frame } from "./render/stream.ts";

export interface LogQuery {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  timestamps: boolean;
  tail?: number;
  since?: number;
  until?: number;
}

export function logStream(containers: ContainerService, record: ContainerRecord, query: LogQuery): ReadableStream<Uint8Array> {
  const abort = new AbortController();
  const tty = record.Config.Tty;
  const encoder = new TextEncoder();
  function entries(): AsyncGenerator<LogEntry> {
    const options = { tail: query.tail, since: query.since, until: query.until };
    if (!query.follow) return containers.readLogs(record, options);
    // Following the log file rather than the live pipes means nothing is lost or repeated
    // between the history and the live output; it ends once the exit is recorded.
    const live = containers.stdioOf(record);
    let finished = !live;
    live?.exited.then(() => (finished = true));
    return containers.readLogs(record, options, { finished: () => finished, signal: abort.signal });
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
    async cancel() {
      abort.abort();
      // Closes the log files the reader holds open.
      await iterator.return(undefined);
    },
  });
}
