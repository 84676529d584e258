/**
 * `GET /events`: the recorded events since `since`, then the live ones until `until` (for
 * ever without it), one JSON object a line, filtered. The stream is pulled: a client that
 * stops reading stops the pulls, its subscription's queue fills and the bus drops it, so a
 * stalled client holds a bounded amount of the daemon's memory.
 */
import { Hono } from "hono";
import type { Engine } from "../../src/engine.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import type { AppEnv } from "../app.ts";
import { parseFilters } from "../query.ts";
import { eventFilter } from "../filters/events.ts";

/** Docker's timestamps: unix seconds with an optional fraction (`1700000000.5`), or RFC 3339. */
function nanosOf(text: string | undefined, name: string): number | undefined {
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) {
    const [seconds, fraction = ""] = text.split(".");
    return Number(seconds) * 1e9 + Number(fraction.padEnd(9, "0").slice(0, 9));
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`invalid value for "${name}": ${text}`);
  return ms * 1e6;
}

export function eventRoutes(engine: Engine): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/events", (c) => {
    const since = nanosOf(c.req.query("since"), "since");
    const until = nanosOf(c.req.query("until"), "until");
    const matches = eventFilter(parseFilters(c.req.query("filters")));
    const encoder = new TextEncoder();
    const line = (event: object) => encoder.encode(`${JSON.stringify(event)}\n`);
    const headers = { "Content-Type": "application/json" };
    const now = Date.now() * 1e6;
    if (until !== undefined && until <= now) {
      const past = engine.events.history(since ?? 0, until, matches);
      return c.body(past.map((event) => `${JSON.stringify(event)}\n`).join(""), 200, headers);
    }
    const subscription = engine.events.subscribe(matches, since);
    const events = subscription.events[Symbol.asyncIterator]();
    const deadline = until === undefined ? undefined : setTimeout(() => subscription.close(), (until - now) / 1e6);
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const next = await events.next();
          if (next.done) {
            clearTimeout(deadline);
            controller.close();
            return;
          }
          if (until !== undefined && next.value.timeNano > until) {
            subscription.close();
            controller.close();
            return;
          }
          controller.enqueue(line(next.value));
        },
        cancel() {
          clearTimeout(deadline);
          subscription.close();
        },
      },
      { highWaterMark: 1 },
    );
    return c.body(body, 200, headers);
  });
  return app;
}
