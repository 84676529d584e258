/** The /volumes endpoints (v1.41): create, list with filters, inspect, remove (409 while in use), prune. */
import { Hono } from "hono";
import { z } from "zod";
import type { Engine } from "../../src/engine.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import type { Volume } from "../../src/volume/store.ts";
import type { AppEnv } from "../app.ts";
import { parseBool, parseFilters } from "../query.ts";
import { jsonLimit, jsonOf } from "../validate.ts";
import { stringMap } from "../schemas/common.ts";
import { labelMatches } from "../filters/label.ts";

const createBody = z
  .object({
    Name: z.string().nullish(),
    Driver: z.string().nullish(),
    DriverOpts: stringMap.optional(),
    Labels: stringMap.optional(),
  })
  .loose();

/** A volume in Docker's shape. */
function render(engine: Engine, volume: Volume) {
  return {
    CreatedAt: volume.CreatedAt,
    Driver: "local",
    Labels: volume.Labels ?? null,
    Mountpoint: engine.volumes.dataPath(volume.Name),
    Name: volume.Name,
    Options: volume.Options ?? null,
    Scope: "local",
  };
}

const FILTER_KEYS = new Set(["dangling", "name", "label", "driver"]);

function volumeFilter(engine: Engine, filters: Map<string, string[]>): (volume: Volume) => boolean {
  for (const key of filters.keys()) if (!FILTER_KEYS.has(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  return (volume) =>
    (filters.get("name") ?? [volume.Name]).some((name) => volume.Name.includes(name)) &&
    (filters.get("driver") ?? ["local"]).includes("local") &&
    (filters.get("label") ?? []).every((label) => labelMatches(volume.Labels ?? {}, label)) &&
    (filters.get("dangling") ?? []).every((value) => (engine.volumes.usersOf(volume.Name).length === 0) === ["1", "true"].includes(value));
}

export function volumeRoutes(engine: Engine): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post("/volumes/create", jsonLimit, jsonOf(createBody), (c) => {
    const body = c.req.valid("json");
    if (body.Driver && body.Driver !== "local") throw new InvalidArgumentError(`error looking up volume plugin ${body.Driver}: plugin "${body.Driver}" not found`);
    return c.json(render(engine, engine.volumes.create(body.Name || undefined, body.Labels ?? {}, body.DriverOpts ?? {})), 201);
  });

  app.get("/volumes", (c) => {
    const matches = volumeFilter(engine, parseFilters(c.req.query("filters")));
    return c.json({ Volumes: engine.volumes.list().filter(matches).map((volume) => render(engine, volume)), Warnings: null });
  });

  app.post("/volumes/prune", async (c) => {
    const filters = parseFilters(c.req.query("filters"));
    for (const key of filters.keys()) if (key !== "label" && key !== "label!") throw new InvalidArgumentError(`invalid filter '${key}'`);
    const { removed, space } = await engine.volumes.prune(
      (volume) =>
        (filters.get("label") ?? []).every((label) => labelMatches(volume.Labels ?? {}, label)) &&
        (filters.get("label!") ?? []).every((label) => !labelMatches(volume.Labels ?? {}, label)),
    );
    return c.json({ VolumesDeleted: removed.length ? removed : null, SpaceReclaimed: space });
  });

  app.get("/volumes/:name", (c) => c.json(render(engine, engine.volumes.get(c.req.param("name")))));

  app.delete("/volumes/:name", (c) => {
    const name = c.req.param("name");
    if (parseBool(c.req.query("force")) && !engine.volumes.list().some((volume) => volume.Name === name)) return c.body(null, 204);
    engine.volumes.remove(name);
    return c.body(null, 204);
  });
  return app;
}
