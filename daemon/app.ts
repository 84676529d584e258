/**
 * The Engine API as a Hono app: routes only decode requests, call the engine and encode
 * results. Paths work with and without a `/v1.NN` prefix (the prefix is stripped before
 * routing, in `server.ts`).
 */
import { Hono } from "hono";
import type { HttpBindings } from "@hono/node-server";
import { consola } from "consola";
import type { Engine } from "../src/engine.ts";
import { EngineError } from "../src/errors.ts";
import { errorResponse, statusOf } from "./errors.ts";
import { systemRoutes } from "./routes/system.ts";
import { imageRoutes } from "./routes/images.ts";
import { containerRoutes } from "./routes/containers.ts";
import { containerLayerRoutes } from "./routes/container-layers.ts";
import { containerFileRoutes } from "./routes/container-files.ts";
import { containerResourceRoutes } from "./routes/container-resources.ts";
import { execRoutes } from "./routes/exec.ts";
import { eventRoutes } from "./routes/events.ts";
import { volumeRoutes } from "./routes/volumes.ts";
import { networkRoutes } from "./routes/networks.ts";
import { imageTransferRoutes } from "./routes/image-transfer.ts";
import { registryRoutes } from "./routes/registry.ts";
import { buildRoutes } from "./routes/build.ts";
import { API_VERSION, SERVER_HEADER } from "./version.ts";

export type AppEnv = { Bindings: HttpBindings };

export function buildApp(engine: Engine): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    await next();
    c.header("Api-Version", API_VERSION);
    c.header("Docker-Experimental", "false");
    c.header("Ostype", "linux");
    c.header("Server", SERVER_HEADER);
  });
  // `--api-cors-header ORIGIN` (the 2013 -api-enable-cors): browsers from ORIGIN may call the API.
  const origin = engine.options.corsOrigin;
  if (origin) {
    app.use(async (c, next) => {
      c.header("Access-Control-Allow-Origin", origin);
      c.header("Access-Control-Allow-Headers", "Origin, X-Requested-With, Content-Type, Accept, X-Registry-Auth");
      c.header("Access-Control-Allow-Methods", "HEAD, GET, POST, DELETE, PUT, OPTIONS");
      if (c.req.method === "OPTIONS") return c.body(null, 200);
      await next();
    });
  }
  app.route("/", systemRoutes(engine));
  // Before imageRoutes: `/images/search` must not be taken for an image called "search".
  app.route("/", registryRoutes(engine));
  app.route("/", imageRoutes(engine));
  app.route("/", containerRoutes(engine));
  app.route("/", containerLayerRoutes(engine));
  app.route("/", containerFileRoutes(engine));
  app.route("/", containerResourceRoutes(engine));
  app.route("/", execRoutes(engine));
  app.route("/", eventRoutes(engine));
  app.route("/", volumeRoutes(engine));
  app.route("/", networkRoutes(engine));
  app.route("/", imageTransferRoutes(engine));
  app.route("/", buildRoutes(engine));
  app.notFound((c) => errorResponse(404, `page not found: ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => {
    const status = statusOf(err);
    // A 500 is a bug: logged with the request that met it; the daemon serves on.
    if (status === 500 && !(err instanceof EngineError)) consola.error(`${c.req.method} ${c.req.path}:`, err);
    else consola.debug(`${status}: ${err.message}`);
    return errorResponse(status, err.message);
  });
  return app;
}
