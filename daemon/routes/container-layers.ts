/** diff, commit and export: /containers/{id}/changes, /commit and /containers/{id}/export. */
import { Hono } from "hono";
import type { Engine } from "../../src/engine.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import type { AppEnv } from "../app.ts";
import { parseBool } from "../query.ts";
import { jsonLimit, jsonOf } from "../validate.ts";
import { commitBody } from "../schemas/commit.ts";

export function containerLayerRoutes(engine: Engine): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/containers/:id/changes", async (c) => c.json(await engine.layers.changes(c.req.param("id"))));

  // Hono answers HEAD with the GET handler and drops the body: a HEAD must not mount anything.
  app.get("/containers/:id/export", (c) => {
    if (c.req.method === "HEAD") {
      engine.containers.get(c.req.param("id"));
      return c.body(null, 200);
    }
    return c.body(engine.layers.export(c.req.param("id")), 200, { "Content-Type": "application/x-tar" });
  });

  app.post("/commit", jsonLimit, jsonOf(commitBody), async (c) => {
    const container = c.req.query("container");
    if (!container) throw new InvalidArgumentError("container is required");
    const image = await engine.layers.commit(container, {
      repo: c.req.query("repo") || undefined,
      tag: c.req.query("tag") || undefined,
      author: c.req.query("author") || undefined,
      comment: c.req.query("comment") || undefined,
      changes: c.req.queries("changes"),
      config: c.req.valid("json") ?? undefined,
      // Docker pauses unless told not to.
      pause: parseBool(c.req.query("pause"), true),
    });
    return c.json({ Id: image.id }, 201);
  });
  return app;
}
