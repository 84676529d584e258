/** The /images endpoints. Image names may contain slashes and a registry port: `{.+}` params. */
import { Hono } from "hono";
import type { Engine } from "../../src/engine.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import type { AppEnv } from "../app.ts";
import { parseBool, parseFilters } from "../query.ts";
import { history, inspect, listItem } from "../render/image.ts";
import { jsonMessage } from "../render/stream.ts";
import { filterImages, pruneFilter } from "../filters/images.ts";
import { pullResponse } from "./registry.ts";

/** Where an import's tarball comes from: the request body, or a URL the daemon fetches. */
async function importSource(fromSrc: string, body: ReadableStream<Uint8Array> | null): Promise<AsyncIterable<Uint8Array>> {
  if (fromSrc === "-") {
    if (!body) throw new InvalidArgumentError("import from '-' needs a tarball in the request body");
    return body;
  }
  if (!/^https?:\/\//.test(fromSrc)) throw new InvalidArgumentError(`fromSrc must be '-' or an http(s) URL: ${fromSrc}`);
  const response = await fetch(fromSrc);
  if (!response.ok || !response.body) throw new InvalidArgumentError(`Get ${fromSrc}: ${response.status} ${response.statusText}`);
  return response.body;
}

export function imageRoutes(engine: Engine): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const images = engine.images;

  app.get("/images/json", (c) => {
    const all = parseBool(c.req.query("all"));
    const filters = parseFilters(c.req.query("filters"));
    // Without -a, untagged images that others are built on are intermediate layers, hidden like Docker's.
    const visible = images.list().filter((image) => all || image.repoTags.length > 0 || images.children(image.id).length === 0);
    return c.json(filterImages(images, visible, filters).map(({ image, repoTags }) => listItem(image, repoTags)));
  });

  app.post("/images/create", async (c) => {
    const fromSrc = c.req.query("fromSrc");
    if (fromSrc === undefined) return pullResponse(engine, c);
    const repo = c.req.query("repo");
    const tag = c.req.query("tag");
    const image = await engine.importImage(await importSource(fromSrc, c.req.raw.body), {
      repoTag: repo ? (tag ? `${repo}:${tag}` : repo) : undefined,
      message: c.req.query("message"),
      changes: c.req.queries("changes"),
      source: fromSrc,
    });
    return c.body(new Blob([jsonMessage({ status: image.id })]).stream(), 200, { "Content-Type": "application/json" });
  });

  app.get("/images/:name{.+}/json", (c) => c.json(inspect(images.resolve(c.req.param("name")))));
  app.get("/images/:name{.+}/history", (c) => c.json(history(images, images.resolve(c.req.param("name")))));

  app.post("/images/:name{.+}/tag", (c) => {
    const repo = c.req.query("repo");
    if (!repo) throw new InvalidArgumentError("repository name must have at least one component");
    engine.tagImage(c.req.param("name"), repo, c.req.query("tag") || undefined);
    return c.body(null, 201);
  });

  app.post("/images/prune", (c) => c.json(engine.pruneImages(pruneFilter(parseFilters(c.req.query("filters"))))));

  app.delete("/images/:name{.+}", (c) => c.json(engine.removeImage(c.req.param("name"), parseBool(c.req.query("force")))));
  return app;
}
