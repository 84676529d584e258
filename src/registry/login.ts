/**
 * `docker login` as dockerd checks it: reach the registry's `/v2/`, and prove the credentials
 * against whatever it challenges with, Basic on `/v2/` itself or a token from its token
 * service (asked as dockerd asks: client_id=docker, offline_token=true).
 */
import { UnauthorizedError } from "../errors.ts";
import { RegistryClient } from "./client.ts";
import type { TokenCache } from "./tokens.ts";
import { DOCKER_HUB, type RegistryTransport } from "./transport.ts";
import type { Credentials } from "./types.ts";

/** Docker Hub's key in config.json, and what `docker login` without a server sends. */
export const DOCKER_HUB_AUTH_KEY = "https://index.docker.io/v1/";

/** The registry host a login's server address means: "https://index.docker.io/v1/" and "" are Docker Hub. */
export function registryDomain(serverAddress: string): string {
  const bare = serverAddress.trim().replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  if (bare === "" || bare === "index.docker.io" || bare === "registry-1.docker.io" || bare === DOCKER_HUB) return DOCKER_HUB;
  return bare;
}

export async function login(transport: RegistryTransport, tokens: TokenCache, serverAddress: string, credentials: Credentials): Promise<void> {
  const domain = registryDomain(serverAddress);
  const client = new RegistryClient(transport, tokens, { domain, path: "", credentials, actions: "" });
  const origin = await client.origin();
  let response: Response;
  try {
    response = await client.request("/v2/", { scopes: [] });
  } catch (error) {
    if (error instanceof UnauthorizedError) throw new UnauthorizedError(`Get "${origin}/v2/": ${error.message}`);
    throw error;
  }
  void response.body?.cancel();
  if (response.status === 401) throw new UnauthorizedError(`login attempt to ${origin}/v2/ failed with status: 401 Unauthorized`);
}
