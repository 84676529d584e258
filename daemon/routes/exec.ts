/**
 * The /exec endpoints but the hijacked start, which `../exec-upgrade.ts` serves on the raw
 * socket: create, inspect, resize, and a start without an Upgrade header (detached, or the
 * output as the plain response body, as dockerd answers such a client).
 */
import { Hono } from "hono";
import type { Engine } from "../../src/engine.ts";
import type { AppEnv } from "../app.ts";
import { parseInteger } from "../query.ts";
import { jsonLimit, jsonOf } from "../validate.ts";
import { execConfig, execCreateBody, execStartBody } from "../schemas/exec.ts";
import { frame } from "../render/stream.ts";

export function execRoutes(engine: Engine): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const execs = engine.execs;

  app.post("/containers/:id/exec", jsonLimit, jsonOf(execCreateBody), (c) => {
    const record = execs.create(c.req.param("id"), execConfig(c.req.valid("json")));
    return c.json({ Id: record.ID }, 201);
  });

  app.get("/exec/:id/json", (c) => c.json(execs.get(c.req.param("id"))));

  app.post("/exec/:id/resize", (c) => {
    execs.resize(c.req.param("id"), parseInteger(c.req.query("h"), "h") ?? 0, parseInteger(c.req.query("w"), "w") ?? 0);
    return c.body(null, 200);
  });

  app.post("/exec/:id/start", jsonLimit, jsonOf(execStartBody), async (c) => {
    const id = c.req.param("id");
    const detach = c.req.valid("json")?.Detach ?? false;
    const tty = execs.get(id).ProcessConfig.tty;
    if (detach) {
      await execs.start(id, true, () => {});
      return c.body(null, 200);
    }
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const session = await execs.start(id, false, (stream, chunk) => void writer.write(frame(stream, chunk, tty)).catch(() => {}));
    session.closeStdin();
    session.exited.then(() => writer.close().catch(() => {}));
    return c.body(readable, 200, { "Content-Type": "application/vnd.docker.raw-stream" });
  });
  return app;
}
