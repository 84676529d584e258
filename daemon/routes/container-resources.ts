/** The resource endpoints of a container: `update`, `pause`/`unpause`, and `stats` (one sample, or a stream of one a second). */
import { Hono } from "hono";
import type { Engine } from "../../src/engine.ts";
import { EMPTY_CPU, type StatsSample } from "../../src/cgroup/stats.ts";
import type { ContainerRecord } from "../../src/container/record.ts";
import type { AppEnv } from "../app.ts";
import { parseBool } from "../query.ts";
import { jsonLimit, jsonOf } from "../validate.ts";
import { updateContainerBody } from "../schemas/resources.ts";

const STATS_INTERVAL_MS = 1000;
const ZERO_TIME = "0001-01-01T00:00:00Z";

/** What Docker answers for a container that is not running: every counter zero. */
function emptySample(): StatsSample {
  return {
    read: ZERO_TIME,
    preread: ZERO_TIME,
    pids_stats: {},
    blkio_stats: { io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null, io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: EMPTY_CPU,
    precpu_stats: EMPTY_CPU,
    memory_stats: {},
  };
}

export function containerResourceRoutes(engine: Engine): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const containers = engine.containers;
  const resources = containers.resources;
  const framed = (record: ContainerRecord, sample: StatsSample) => `${JSON.stringify({ ...sample, name: `/${record.Name}`, id: record.Id })}\n`;

  app.post("/containers/:id/update", jsonLimit, jsonOf(updateContainerBody), (c) => {
    resources.update(c.req.param("id"), c.req.valid("json") as Parameters<typeof resources.update>[1]);
    return c.json({ Warnings: [] });
  });

  app.post("/containers/:id/pause", async (c) => {
    await resources.pause(c.req.param("id"));
    return c.body(null, 204);
  });

  app.post("/containers/:id/unpause", (c) => {
    resources.unpause(c.req.param("id"));
    return c.body(null, 204);
  });

  app.get("/containers/:id/stats", async (c) => {
    const record = containers.get(c.req.param("id"));
    const stream = c.req.query("stream") === undefined || parseBool(c.req.query("stream"));
    const headers = { "Content-Type": "application/json" };
    const reader = resources.statsReader(record);
    if (!stream) {
      try {
        let sample = reader?.sample();
        // Without one-shot Docker waits one interval, so precpu_stats is a real earlier sample.
        if (sample && !parseBool(c.req.query("one-shot"))) {
          await Bun.sleep(STATS_INTERVAL_MS);
          if (containers.isRunning(record)) sample = reader!.sample(sample);
        }
        return c.body(framed(record, sample ?? emptySample()), 200, headers);
      } finally {
        reader?.close();
      }
    }
    let timer: Timer | undefined;
    const stop = () => {
      clearInterval(timer);
      reader?.close();
    };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const encoder = new TextEncoder();
        let previous: StatsSample | undefined;
        const emit = () => {
          const sample = reader && containers.isRunning(record) ? reader.sample(previous) : undefined;
          try {
            controller.enqueue(encoder.encode(framed(record, sample ?? emptySample())));
            if (!sample) {
              stop();
              controller.close();
            }
          } catch {
            stop(); // the client left
          }
          previous = sample;
        };
        emit();
        timer = setInterval(emit, STATS_INTERVAL_MS);
      },
      cancel: stop,
    });
    return c.body(body, 200, headers);
  });
  return app;
}
