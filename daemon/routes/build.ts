/** `POST /build`: the legacy builder's endpoint, as the docker CLI without BuildKit and docker-py call it. */
import { Hono } from "hono";
import type { Engine } from "../../src/engine.ts";
import { BuildError } from "../../src/build/build-error.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import type { AppEnv } from "../app.ts";
import { parseBool } from "../query.ts";
import { jsonMessageStream } from "../render/stream.ts";
import { credentialsByRegistry } from "../registry-auth.ts";

/** A JSON object query parameter (`buildargs`, `labels`) of string values (null: take the environment's). */
function stringMap(value: string | undefined, name: string): Record<string, string | null> {
  if (value === undefined || value === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError(`invalid ${name}: not JSON`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || !Object.values(parsed).every((v) => v === null || typeof v === "string")) {
    throw new InvalidArgumentError(`invalid ${name}: must be an object of strings`);
  }
  return parsed as Record<string, string | null>;
}

export function buildRoutes(engine: Engine): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post("/build", (c) => {
    const body = c.req.raw.body;
    const remote = c.req.query("remote") || undefined;
    if (!body && !remote) throw new InvalidArgumentError("build needs a tar context in the request body, or a remote URL");
    const quiet = parseBool(c.req.query("q"));
    const labels = stringMap(c.req.query("labels"), "labels");
    const options = {
      tags: c.req.queries("t") ?? [],
      dockerfile: c.req.query("dockerfile") || "Dockerfile",
      buildArgs: stringMap(c.req.query("buildargs"), "buildargs"),
      labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, v ?? ""])),
      noCache: parseBool(c.req.query("nocache")),
      rm: parseBool(c.req.query("rm"), true),
      forceRm: parseBool(c.req.query("forcerm")),
      target: c.req.query("target") || undefined,
      networkMode: c.req.query("networkmode") || undefined,
      extraHosts: c.req.query("extrahosts") ? c.req.query("extrahosts")?.split(",") : undefined,
      pull: parseBool(c.req.query("pull")),
      explainCache: parseBool(c.req.query("explaincache")),
      credentials: credentialsByRegistry(c.req.header("x-registry-config")),
      quiet,
    };
    const stream = jsonMessageStream();
    const write = (message: object) => void stream.write(message);
    engine
      .build(remote !== undefined ? { remote } : { tar: body as ReadableStream<Uint8Array> }, options, {
        say: (text) => {
          if (!quiet) write({ stream: text });
        },
        missed: (reason) => {
          if (!quiet) write({ stream: ` ---> Cache miss: ${reason}\n` });
        },
        built: (id) => {
          write({ aux: { ID: id } });
          if (quiet) write({ stream: `${id}\n` });
        },
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        write({ errorDetail: { code: error instanceof BuildError ? error.code : 1, message }, error: message });
      })
      .finally(stream.close);
    return c.body(stream.body, 200, { "Content-Type": "application/json" });
  });

  return app;
}
