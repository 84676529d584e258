/** Images in and out without a registry: save (/images/get), load, and the 2013 insert. */
import { Hono } from "hono";
import type { Engine } from "../../src/engine.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import type { LoadedImage } from "../../src/image/load.ts";
import type { InsertProgress } from "../../src/image/insert.ts";
import { throttled } from "../../src/util/throttle.ts";
import { toWebStream } from "../../src/util/web-stream.ts";
import type { AppEnv } from "../app.ts";
import { jsonMessage, jsonMessageStream } from "../render/stream.ts";


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
    const stream = jsonMessageStream();
    const downloading = throttled(({ current, total }: InsertProgress) => void stream.write({ status: "Downloading", progressDetail: total ? { current, total } : { current } }));
    const inserted = engine.insertFile(c.req.param("name"), url, path, (progress) => downloading(progress));
    inserted
      .then((image) => stream.write({ status: image.id }))
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        return stream.write({ errorDetail: { message }, error: message });
      })
      .finally(stream.close);
    return c.body(stream.body, 200, { "Content-Type": "application/json" });
  });

  return app;
}
