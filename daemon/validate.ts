/**
 * Input checking at the edge, once: request bodies and queries are validated against the
 * v1.41 shapes (zod schemas in `schemas/`) through Hono's validator middleware before a route
 * runs, so the engine only ever sees well-typed values. zod because @hono/zod-validator is
 * Hono's own middleware for it, its schemas infer the TypeScript types the routes get, and its
 * issues carry the path of the field at fault (`invalid Cmd[1]: expected string, got null`).
 * JSON bodies are capped: a client cannot make the daemon hold more than JSON_BODY_LIMIT.
 */
import { zValidator } from "@hono/zod-validator";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { every } from "hono/combine";
import type { MiddlewareHandler } from "hono";
import { z } from "zod";
import { InvalidArgumentError } from "../src/errors.ts";

/** Far above any real create or commit body (docker's are a few KB), far below a memory problem. */
export const JSON_BODY_LIMIT = 4 * 1024 * 1024;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/**
 * Of a union's failures (a StrSlice is a string or a list), the one that got furthest into the
 * value: for `["true", null]` that is `[1]: expected string`, not `expected string, got array`.
 */
function deepest(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return issue;
  const candidates = issue.errors.flat().map((inner) => deepest({ ...inner, path: [...issue.path, ...inner.path] }));
  return candidates.reduce((best, next) => (next.path.length > best.path.length ? next : best));
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join("");
}

/** The first issue as one line that names the field: `invalid Cmd[1]: expected string, got null`. */
export function issueMessage(error: z.core.$ZodError, input: unknown): string {
  const issue = deepest(error.issues[0]!);
  let value: unknown = input;
  for (const key of issue.path) value = value != null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  const where = issue.path.length ? fieldPath(issue.path) : "request";
  const message = issue.code === "invalid_type" ? `expected ${issue.expected}, got ${describe(value)}` : issue.message;
  return `invalid ${where}: ${message}`;
}

function failOnIssues(result: { success: boolean; error?: z.core.$ZodError; data: unknown }): void {
  if (!result.success && result.error) throw new InvalidArgumentError(issueMessage(result.error, result.data));
}

const tooLarge = (): never => {
  throw new HTTPException(413, { message: `request body too large: JSON bodies are limited to ${JSON_BODY_LIMIT / 1024 / 1024} MiB` });
};

/**
 * A body is read as JSON whatever its Content-Type says (fetch labels a string body text/plain,
 * curl -d form-urlencoded); an empty one is no body. Hono's validator reads only a JSON type.
 */
const bodyAsJson: MiddlewareHandler = async (c, next) => {
  const raw = c.req.raw;
  const empty = raw.body === null || raw.headers.get("content-length") === "0";
  if (!empty && !/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(raw.headers.get("content-type") ?? "")) {
    const headers = new Headers(raw.headers);
    headers.set("content-type", "application/json");
    c.req.raw = new Request(raw, { headers });
  }
  await next();
};

/** Refuses a body over JSON_BODY_LIMIT with 413 (before reading it when it says its length), and reads it as JSON. */
export const jsonLimit = every(bodyLimit({ maxSize: JSON_BODY_LIMIT, onError: tooLarge }), bodyAsJson);

/** A JSON body of `schema` (after `jsonLimit`); a body not sent as JSON is `{}`, as with Hono. */
export function jsonOf<S extends z.ZodType>(schema: S) {
  return zValidator("json", schema, failOnIssues);
}
