/** Images in and out without a registry: save (/images/get), load, and the 2013 insert. */
import { Hono } from "hono";
import type { Engine } from "../../src/engine.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import type { LoadedImage } from "../../src/image/load.ts";
import { toWebStream } from "../../src/util/web-stream.ts";
import type { AppEnv } from "../app.ts";
import { jsonMessage } from "../render/stream.ts";

/** Progress is a line per chunk otherwise; a few a second are plenty for a terminal. */
const PROGRESS_INTERVAL_MS = 100;

/** What `docker load` prints, one `stream` message per line. */
function loadMessages(loaded: LoadedImage[]): Uint8Array[] {
  return loaded.flatMap((image) => [
    ...image.moved.map(({ tag, from }) => jsonMessage({ stream: `The image ${tag} already exists, renaming the old one with ID ${from} to empty string\n` })),
    ...(image.repoTags.length > 0 ? image.repoTags.map((tag) => jsonMessage({ stream: `Loaded image: ${tag}\n` })) : [jsonMessage({ stream: `Loaded image ID: ${image.id}\n` })]),
  ]);
}

export function imageTransferRoutes(engine: Engine): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const tar = { "Content-Type": "application/x-tar" };

  app.get("/images/get", (c) => {
    const names = c.req.queries("names") ?? [];
    if (names.length === 0) throw new InvalidArgumentError("no image names given: use ?names=IMAGE");
    return c.body(toWebStream(engine.saveImages(names)), 200, tar);
  });
  app.get("/images/:name{.+}/get", (c) => c.body(toWebStream(engine.saveImages([c.req.param("name")])), 200, tar));

  app.post("/images/load", async (c) => {
    const body = c.req.raw.body;
    if (!body) throw new InvalidArgumentError("load needs a docker-archive tar in the request body");
    const loaded = await engine.loadImages(body);
    return c.body(new Blob(loadMessages(loaded)).stream(), 200, { "Content-Type": "application/json" });
  });

  app.post("/images/:name{.+}/insert", (c) => {
    const url = c.req.query("url") ?? "";
    const path = c.req.query("path") ?? "";
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    let lastProgress = 0;
    const inserted = engine.insertFile(c.req.param("name"), url, path, ({ current, total }) => {
      if (Date.now() - lastProgress < PROGRESS_INTERVAL_MS) return;
      lastProgress = Date.now();
      writer.write(jsonMessage({ status: "Downloading", progressDetail: total ? { current, total } : { current } })).catch(() => {});
    });
    inserted
      .then((image) => writer.write(jsonMessage({ status: image.id })))
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        return writer.write(jsonMessage({ errorDetail: { message }, error: message }));
      })
      .finally(() => writer.close().catch(() => {}));
    return c.body(readable, 200, { "Content-Type": "application/json" });
  });

  return app;
}
