/** diff, commit and export: /containers/{id}/changes, /commit and /containers/{id}/export. */
import { Hono } from "hono";
import type { Engine } from "../../src/engine.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import type { RunConfig } from "../../src/image/types.ts";
import type { AppEnv } from "../app.ts";
import { parseBool } from "../query.ts";

/** The commit's optional body: a container config whose run settings go over the container's. */
async function configBody(req: Request): Promise<RunConfig | undefined> {
  const text = await req.text();
  if (!text.trim()) return undefined;
  try {
    return (JSON.parse(text) as RunConfig | null) ?? undefined;
  } catch (err) {
    throw new InvalidArgumentError(`invalid JSON in request body: ${(err as Error).message}`);
  }
}

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

  app.post("/commit", async (c) => {
    const container = c.req.query("container");
    if (!container) throw new InvalidArgumentError("container is required");
    const image = await engine.layers.commit(container, {
      repo: c.req.query("repo") || undefined,
      tag: c.req.query("tag") || undefined,
      author: c.req.query("author") || undefined,
      comment: c.req.query("comment") || undefined,
      changes: c.req.queries("changes"),
      config: await configBody(c.req.raw),
      // Docker pauses unless told not to.
      pause: parseBool(c.req.query("pause"), true),
    });
    return c.json({ Id: image.id }, 201);
  });
  return app;
}
