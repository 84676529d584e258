/** The /containers endpoints. The attach upgrade itself is served in `../attach.ts`. */
import { Hono } from "hono";
import type { Engine } from "../../src/engine.ts";
import { InvalidArgumentError, NotModifiedError } from "../../src/errors.ts";
import type { WaitCondition } from "../../src/container/service.ts";
import type { ContainerRecord } from "../../src/container/record.ts";
import type { AppEnv } from "../app.ts";
import { parseBool, parseFilters, parseInteger } from "../query.ts";
import { inspect, listItem } from "../render/container.ts";
import { attachOutput } from "../attach.ts";
import { logStream } from "../logs.ts";
import { containerFilter, pruneFilter } from "../filters/containers.ts";
import { jsonLimit, jsonOf } from "../validate.ts";
import { createContainerBody } from "../schemas/container-create.ts";

const WAIT_CONDITIONS = ["not-running", "next-exit", "removed"];

/** 304 for start/stop on a container already in that state: the CLI counts it as success. */
async function orNotModified(action: () => Promise<void> | void): Promise<Response> {
  try {
    await action();
  } catch (err) {
    if (err instanceof NotModifiedError) return new Response(null, { status: 304 });
    throw err;
  }
  return new Response(null, { status: 204 });
}

/** `since` as Docker clients send it: unix seconds, maybe with a fraction (`1700000000.123456789`). */
function parseSince(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds)) throw new InvalidArgumentError(`invalid value for "since": ${text}`);
  return seconds;
}

export function containerRoutes(engine: Engine): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const containers = engine.containers;

  app.get("/containers/json", async (c) => {
    const all = parseBool(c.req.query("all"));
    const limit = parseInteger(c.req.query("limit"), "limit") ?? -1;
    const size = parseBool(c.req.query("size"));
    const filters = parseFilters(c.req.query("filters"));
    const matches = containerFilter(filters, { images: engine.images, container: (ref) => containers.get(ref) });
    // A status filter looks at every state, as in Docker (an exited filter does not).
    const everyState = all || limit > 0 || filters.has("status");
    let list = containers
      .list()
      // Docker counts a container waiting to restart as running.
      .filter((r) => everyState || r.State.Status === "running" || r.State.Status === "restarting")
      .filter(matches)
      .sort((a, b) => Date.parse(b.Created) - Date.parse(a.Created));
    if (limit > 0) list = list.slice(0, limit);
    return c.json(await Promise.all(list.map(async (r) => listItem(r, containers.networksOf(r), size ? await engine.layers.sizes(r) : undefined))));
  });

  app.post("/containers/create", jsonLimit, jsonOf(createContainerBody), (c) => {
    const record = containers.create(c.req.valid("json"), c.req.query("name") || undefined);
    return c.json({ Id: record.Id, Warnings: [] }, 201);
  });

  app.get("/containers/:id/json", async (c) => {
    const record = containers.get(c.req.param("id"));
    const sizes = parseBool(c.req.query("size")) ? await engine.layers.sizes(record) : undefined;
    return c.json(inspect(record, containers.networksOf(record), engine.containerDir(record), containers.logPath(record), sizes, engine.execs.idsOf(record.Id)));
  });

  app.post("/containers/:id/start", (c) => orNotModified(() => containers.start(c.req.param("id"))));
  app.post("/containers/:id/stop", (c) =>
    orNotModified(() => containers.stop(c.req.param("id"), parseInteger(c.req.query("t"), "t"))),
  );
  app.post("/containers/:id/restart", async (c) => {
    await containers.restart(c.req.param("id"), parseInteger(c.req.query("t"), "t"));
    return c.body(null, 204);
  });
  app.post("/containers/:id/kill", async (c) => {
    await containers.kill(c.req.param("id"), c.req.query("signal") || "KILL");
    return c.body(null, 204);
  });

  app.post("/containers/:id/wait", (c) => {
    const condition = c.req.query("condition") || "not-running";
    if (!WAIT_CONDITIONS.includes(condition)) throw new InvalidArgumentError(`invalid condition: ${condition}`);
    const exit = containers.wait(c.req.param("id"), condition as WaitCondition);
    // The CLI sends `start` only once these headers arrive: the body must follow later.
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        const code = await exit;
        try {
          controller.enqueue(new TextEncoder().encode(`${JSON.stringify({ Error: null, StatusCode: code })}\n`));
          controller.close();
        } catch {
          // The client left (run -d abandons its wait).
        }
      },
    });
    return c.body(body, 200, { "Content-Type": "application/json" });
  });

  app.post("/containers/:id/resize", (c) => {
    const rows = parseInteger(c.req.query("h"), "h") ?? 0;
    const cols = parseInteger(c.req.query("w"), "w") ?? 0;
    containers.resize(c.req.param("id"), rows, cols);
    return c.body(null, 200);
  });

  app.get("/containers/:id/logs", (c) => {
    const record = containers.get(c.req.param("id"));
    const stdout = parseBool(c.req.query("stdout"));
    const stderr = parseBool(c.req.query("stderr"));
    if (!stdout && !stderr) throw new InvalidArgumentError("Bad parameters: you must choose at least one stream");
    const tail = c.req.query("tail");
    return c.body(
      logStream(containers, record, {
        stdout,
        stderr,
        follow: parseBool(c.req.query("follow")),
        timestamps: parseBool(c.req.query("timestamps")),
        tail: tail === undefined || tail === "all" ? undefined : parseInteger(tail, "tail"),
        since: parseSince(c.req.query("since")),
        until: parseSince(c.req.query("until")),
      }),
      200,
    );
  });

  // Without an Upgrade header dockerd answers attach with 200 and the raw stream.
  app.post("/containers/:id/attach", (c) => {
    const record = containers.get(c.req.param("id"));
    return c.body(attachOutput(containers, record, new URL(c.req.url).searchParams).output, 200, {
      "Content-Type": "application/vnd.docker.raw-stream",
    });
  });

  app.post("/containers/:id/rename", (c) => {
    const name = c.req.query("name");
    if (!name) throw new InvalidArgumentError("Neither old nor new names may be empty");
    containers.rename(c.req.param("id"), name);
    return c.body(null, 204);
  });

  // Stopped containers, as `until` and `label` filters allow; the space is their writable layers'.
  app.post("/containers/prune", async (c) => {
    const eligible = pruneFilter(parseFilters(c.req.query("filters")));
    let space = 0;
    const stopped = containers.list().filter((record) => !containers.isRunning(record) && eligible(record));
    const sized = await Promise.all(stopped.map(async (record) => [record.Id, (await engine.layers.sizes(record)).SizeRw] as const));
    const sizes = new Map(sized);
    const removed = await containers.prune((record) => sizes.has(record.Id));
    for (const id of removed) space += sizes.get(id) ?? 0;
    return c.json({ ContainersDeleted: removed.length ? removed : null, SpaceReclaimed: space });
  });

  app.delete("/containers/:id", async (c) => {
    await containers.remove(c.req.param("id"), parseBool(c.req.query("force")), parseBool(c.req.query("v")));
    return c.body(null, 204);
  });
  return app;
}
