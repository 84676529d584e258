/**
 * A pull's or push's JSON message stream, as dockerd answers: the status line waits for the
 * first message, so a failure before any progress (no such image, no credentials) is an
 * ordinary HTTP error docker-py can tell apart (ImageNotFound); a failure later is an
 * `errorDetail` message at the end of a 200 stream. A client that leaves does not stop the
 * work: another client may be waiting on the same layers.
 */
import type { ProgressEvent, ProgressSink } from "../../src/registry/types.ts";
import { statusOf } from "../errors.ts";
import { progressBar } from "../../src/util/human.ts";
import { jsonMessageStream } from "./stream.ts";

export function progressStream(work: (progress: ProgressSink) => Promise<void>): Promise<Response> {
  const stream = jsonMessageStream();
  return new Promise<Response>((resolve, reject) => {
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      resolve(new Response(stream.body, { status: 200, headers: { "Content-Type": "application/json" } }));
    };
    work((event) => {
      start();
      void stream.write(render(event));
    }).then(
      () => {
        start();
        stream.close();
      },
      (error: unknown) => {
        if (!started) return reject(error);
        const message = error instanceof Error ? error.message : String(error);
        const code = statusOf(error);
        void stream.write({ errorDetail: code === 500 ? { message } : { code, message }, error: message }).then(stream.close);
      },
    );
  });
}

/** Docker's shape: `progress` carries the bar as text for clients that draw none themselves. */
function render(event: ProgressEvent): object {
  const { id, status, progressDetail, aux } = event;
  if (aux) return { progressDetail: {}, aux };
  const message: Record<string, unknown> = { status };
  if (progressDetail) {
    message.progressDetail = progressDetail;
    message.progress = progressBar(progressDetail.current, progressDetail.total);
  } else if (id !== undefined) {
    message.progressDetail = {};
  }
  if (id !== undefined) message.id = id;
  return message;
}
