/** Registries: pull (`POST /images/create?fromImage=`), push, login (`POST /auth`) and search. */
import { Hono } from "hono";
import type { Context } from "hono";
import type { Engine } from "../../src/engine.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import { parseReference, type ImageReference } from "../../src/image/reference.ts";
import type { AppEnv } from "../app.ts";
import { parseBool, parseFilters, parseInteger } from "../query.ts";
import { credentialsFromHeader, credentialsOf } from "../registry-auth.ts";
import { progressStream } from "../render/progress-stream.ts";
import { jsonLimit } from "../validate.ts";

const SUPPORTED_PLATFORMS = new Set(["", "linux", "linux/amd64"]);
const SEARCH_LIMIT = 25;

/** `fromImage` and `tag` as the clients split them: the CLI sends `tag=sha256:…` for a digest, none for -a. */
export function pullReference(fromImage: string, tag: string | undefined): { ref: ImageReference; allTags: boolean } {
  if (fromImage === "") throw new InvalidArgumentError("invalid reference format: repository name must have at least one component");
  const parsed = parseReference(fromImage);
  const named = /[:@]/.test(fromImage.slice(fromImage.lastIndexOf("/") + 1));
  if (tag === undefined || tag === "") return named ? { ref: parsed, allTags: false } : { ref: { repo: parsed.repo }, allTags: true };
  if (tag.startsWith("sha256:")) return { ref: parseReference(`${parsed.repo}@${tag}`), allTags: false };
  return { ref: parseReference(`${parsed.repo}:${tag}`), allTags: false };
}

/** The pull half of `POST /images/create` (the import half is in images.ts). */
export function pullResponse(engine: Engine, c: Context<AppEnv>): Promise<Response> {
  const platform = c.req.query("platform") ?? "";
  if (!SUPPORTED_PLATFORMS.has(platform)) throw new InvalidArgumentError(`image operating system "${platform}" cannot be used on this platform: only linux/amd64 is supported`);
  const { ref, allTags } = pullReference(c.req.query("fromImage") ?? "", c.req.query("tag"));
  const { credentials } = credentialsFromHeader(c.req.header("x-registry-auth"));
  return progressStream(async (progress) => {
    await engine.pull(ref, credentials, progress, allTags);
  });
}

export function registryRoutes(engine: Engine): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post("/images/:name{.+}/push", (c) => {
    const parsed = parseReference(c.req.param("name"));
    if (parsed.digest !== undefined) throw new InvalidArgumentError("cannot push a digest reference");
    // A tag inside the name counts only when the query names none: `docker push x` sends tag=latest, -a sends none.
    const named = /:[^/]+$/.test(c.req.param("name"));
    const tag = c.req.query("tag") || (named ? parsed.tag : undefined);
    const { credentials } = credentialsFromHeader(c.req.header("x-registry-auth"));
    return progressStream(async (progress) => {
      await engine.push(parsed.repo, tag, credentials, progress);
    });
  });

  app.post("/auth", jsonLimit, async (c) => {
    const body: unknown = await c.req.json().catch(() => {
      throw new InvalidArgumentError("invalid auth config: the body must be JSON");
    });
    const { credentials, serverAddress } = credentialsOf(body);
    await engine.login(serverAddress ?? "", credentials);
    return c.json({ Status: "Login Succeeded", IdentityToken: "" });
  });

  app.get("/images/search", async (c) => {
    const term = c.req.query("term") ?? "";
    if (term === "") throw new InvalidArgumentError("a search term is required");
    const filters = parseFilters(c.req.query("filters"));
    const { credentials } = credentialsFromHeader(c.req.header("x-registry-auth"));
    const stars = filters.get("stars")?.[0];
    const results = await engine.search(term, credentials, {
      limit: parseInteger(c.req.query("limit"), "limit") || SEARCH_LIMIT,
      officialOnly: filters.has("is-official") ? parseBool(filters.get("is-official")?.[0]) : undefined,
      automatedOnly: filters.has("is-automated") ? parseBool(filters.get("is-automated")?.[0]) : undefined,
      minStars: stars === undefined ? undefined : parseInteger(stars, "stars filter"),
    });
    return c.json(results);
  });

  return app;
}
