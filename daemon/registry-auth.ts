/**
 * Credentials at the edge. The docker CLI sends X-Registry-Auth as base64url of the JSON
 * AuthConfig ("e30=" is `{}`, no credentials); docker-py as standard base64; both padded or
 * not. `auth` (base64 "user:password", as config.json keeps it) stands in for the pair.
 */
import { InvalidArgumentError } from "../src/errors.ts";
import type { Credentials } from "../src/registry/types.ts";
import { authConfig, type AuthConfig } from "./schemas/auth.ts";
import { issueMessage } from "./validate.ts";

export function credentialsFromHeader(header: string | undefined): { credentials: Credentials; serverAddress?: string } {
  if (header === undefined || header.trim() === "") return { credentials: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(header.trim().replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8"));
  } catch {
    throw new InvalidArgumentError("invalid X-Registry-Auth header: not base64-encoded JSON");
  }
  return credentialsOf(parsed);
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
