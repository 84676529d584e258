/** `cp` and `top`: /containers/{id}/archive (GET, HEAD, PUT) and /containers/{id}/top. */
import { Hono } from "hono";
import type { Engine } from "../../src/engine.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import type { PathStat } from "../../src/container/files.ts";
import { top } from "../../src/container/top.ts";
import type { AppEnv } from "../app.ts";
import { parseBool } from "../query.ts";

const PATH_STAT_HEADER = "X-Docker-Container-Path-Stat";

function statHeader(stat: PathStat): string {
  return Buffer.from(JSON.stringify(stat)).toString("base64");
}

function requiredPath(path: string | undefined): string {
  if (!path) throw new InvalidArgumentError("path is required");
  return path;
}

export function containerFileRoutes(engine: Engine): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  // Hono answers HEAD with the GET handler and drops the body, so HEAD must not start a copy.
  app.get("/containers/:id/archive", async (c) => {
    const id = c.req.param("id");
    const path = requiredPath(c.req.query("path"));
    if (c.req.method === "HEAD") {
      return c.body(null, 200, { [PATH_STAT_HEADER]: statHeader(await engine.files.stat(id, path)) });
    }
    const { stat, tar } = await engine.files.archive(id, path);
    return c.body(tar, 200, { "Content-Type": "application/x-tar", [PATH_STAT_HEADER]: statHeader(stat) });
  });

  app.put("/containers/:id/archive", async (c) => {
    const body = c.req.raw.body;
    if (!body) throw new InvalidArgumentError("a tar archive is required in the request body");
    await engine.files.extract(c.req.param("id"), requiredPath(c.req.query("path")), body, {
      noOverwriteDirNonDir: parseBool(c.req.query("noOverwriteDirNonDir")),
    });
    return c.body(null, 200);
  });

  app.get("/containers/:id/top", async (c) => {
    const record = engine.containers.get(c.req.param("id"));
    const result = await top(record, engine.containers.resources.pidsOf(record), c.req.query("ps_args") || undefined);
    engine.containers.announce(record, "top");
    return c.json(result);
  });

  return app;
}
