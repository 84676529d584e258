/**
 * Credentials at the edge. The docker CLI sends X-Registry-Auth as base64url of the JSON
 * AuthConfig ("e30=" is `{}`, no credentials); docker-py as standard base64; both padded or
 * not. `auth` (base64 "user:password", as config.json keeps it) stands in for the pair.
 */
import { InvalidArgumentError } from "../src/errors.ts";
import type { Credentials } from "../src/registry/types.ts";
import { registryDomain } from "../src/registry/login.ts";
import { authConfig, type AuthConfig } from "./schemas/auth.ts";
import { issueMessage } from "./validate.ts";

/** A header of base64 JSON; Buffer's base64 decoding takes the URL-safe alphabet too, padded or not. */
function base64Json(header: string, name: string): unknown {
  try {
    return JSON.parse(Buffer.from(header.trim(), "base64").toString("utf8"));
  } catch {
    throw new InvalidArgumentError(`invalid ${name} header: not base64-encoded JSON`);
  }
}

export function credentialsFromHeader(header: string | undefined): { credentials: Credentials; serverAddress?: string } {
  if (header === undefined || header.trim() === "") return { credentials: {} };
  return credentialsOf(base64Json(header, "X-Registry-Auth"));
}

/**
 * X-Registry-Config (a build's): what the client knows of every registry, server → AuthConfig,
 * keyed here by registry host, so a FROM that must be pulled can use the user's login.
 */
export function credentialsByRegistry(header: string | undefined): Record<string, Credentials> {
  if (header === undefined || header.trim() === "") return {};
  const parsed = base64Json(header, "X-Registry-Config");
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
  return Object.fromEntries(Object.entries(parsed).map(([server, auth]) => [registryDomain(server), credentialsOf(auth).credentials]));
}

export function credentialsOf(value: unknown): { credentials: Credentials; serverAddress?: string } {
  const checked = authConfig.safeParse(value ?? {});
  if (!checked.success) throw new InvalidArgumentError(issueMessage(checked.error, value).replace(/^invalid /, "invalid auth config: "));
  return fromAuthConfig(checked.data);
}

function fromAuthConfig(config: AuthConfig): { credentials: Credentials; serverAddress?: string } {
  let { username, password } = config;
  if (!username && config.auth) {
    const decoded = Buffer.from(config.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) [username, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  }
  const credentials: Credentials = {};
  if (username) credentials.username = username;
  if (password !== undefined && password !== null) credentials.password = password;
  if (config.identitytoken) credentials.identityToken = config.identitytoken;
  if (config.registrytoken) credentials.registryToken = config.registrytoken;
  return { credentials, serverAddress: config.serveraddress ?? undefined };
}
