/**
 * `docker search`: a registry's `/v1/search` where it has one (Docker Hub), otherwise its
 * `/v2/_catalog` filtered by the term, since the v2 API has no search of its own.
 */
import { InvalidArgumentError, UpstreamError } from "../errors.ts";
import { RegistryClient } from "./client.ts";
import type { TokenCache } from "./tokens.ts";
import { DOCKER_HUB, type RegistryTransport } from "./transport.ts";
import type { Credentials } from "./types.ts";

export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

export interface SearchOptions {
  limit: number;
  officialOnly?: boolean;
  automatedOnly?: boolean;
  minStars?: number;
}

const HUB_INDEX = "https://index.docker.io";

/** "localhost:5000/bb" searches that registry for "bb"; anything else searches Docker Hub. */
export function searchTarget(term: string): { domain: string; query: string } {
  const slash = term.indexOf("/");
  const first = term.slice(0, slash);
  if (slash !== -1 && (/[.:]/.test(first) || first === "localhost")) return { domain: first, query: term.slice(slash + 1) };
  return { domain: DOCKER_HUB, query: term };
}

export async function searchImages(transport: RegistryTransport, tokens: TokenCache, term: string, credentials: Credentials, options: SearchOptions): Promise<SearchResult[]> {
  if (options.limit < 1 || options.limit > 100) throw new InvalidArgumentError(`limit ${options.limit} is outside the range of [1, 100]`);
  const { domain, query } = searchTarget(term);
  const results = domain === DOCKER_HUB ? await hubSearch(transport, query, options.limit) : await registrySearch(transport, tokens, domain, query, credentials, options.limit);
  return results
    .filter((r) => !options.officialOnly || r.is_official)
    .filter((r) => !options.automatedOnly || r.is_automated)
    .filter((r) => r.star_count >= (options.minStars ?? 0))
    .slice(0, options.limit);
}

async function hubSearch(transport: RegistryTransport, query: string, limit: number): Promise<SearchResult[]> {
  const endpoint = { origin: HUB_INDEX, domain: DOCKER_HUB, mirror: false };
  const url = `${HUB_INDEX}/v1/search?${new URLSearchParams({ q: query, n: String(limit) })}`;
  const response = await transport.send(endpoint, url, { headers: { Accept: "application/json" } });
  return v1Results(response);
}

async function registrySearch(transport: RegistryTransport, tokens: TokenCache, domain: string, query: string, credentials: Credentials, limit: number): Promise<SearchResult[]> {
  const client = new RegistryClient(transport, tokens, { domain, path: "", credentials, actions: "" });
  const v1 = await client.request(`/v1/search?${new URLSearchParams({ q: query, n: String(limit) })}`, { scopes: [], headers: { Accept: "application/json" } });
  // As dockerd: a v1 index's names are shown as it gives them, without the registry host.
  if (v1.ok) return v1Results(v1);
  void v1.body?.cancel();
  const names = await client.catalog();
  return names
    .filter((name) => name.includes(query))
    .map((name) => ({ name: `${domain}/${name}`, description: "", star_count: 0, is_official: false, is_automated: false }));
}

async function v1Results(response: Response): Promise<SearchResult[]> {
  if (!response.ok) {
    void response.body?.cancel();
    throw new UpstreamError(`search: unexpected status code ${response.status}`);
  }
  const body = (await response.json().catch(() => ({}))) as { results?: unknown };
  if (!Array.isArray(body.results)) return [];
  return body.results.map((r: Record<string, unknown>) => ({
    name: String(r.name ?? ""),
    description: String(r.description ?? ""),
    star_count: Number(r.star_count ?? 0) || 0,
    is_official: r.is_official === true,
    is_automated: r.is_automated === true,
  }));
}
