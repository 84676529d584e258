/**
 * A client for one repository on one registry (Docker Registry HTTP API v2 / OCI
 * distribution): find a working endpoint with `GET /v2/`, authorize each request from the
 * challenge that answered, and speak manifests, blobs, uploads, tags and the catalog. Every
 * registry error becomes Docker's wording ("manifest unknown: manifest unknown").
 */
import { NotFoundError, UnauthorizedError, UpstreamError } from "../errors.ts";
import { parseChallenges, type Challenge } from "./challenge.ts";
import { MANIFEST_ACCEPT } from "./media-types.ts";
import type { TokenCache } from "./tokens.ts";
import type { Endpoint, RegistryTransport, SendInit } from "./transport.ts";
import type { Credentials } from "./types.ts";
import { sha256Digest } from "./verify.ts";

/** Manifests are small; containerd refuses anything over 4 MiB, and so do we. */
const MAX_MANIFEST_BYTES = 4 << 20;

export interface FetchedManifest {
  bytes: Buffer;
  /** sha256 of exactly these bytes. */
  digest: string;
  mediaType: string;
}

export interface RepositoryAccess {
  domain: string;
  path: string;
  credentials: Credentials;
  /** "pull", or "pull,push". */
  actions: string;
  /** Try the daemon's Docker Hub mirrors first (pulls only). */
  withMirrors?: boolean;
}

export class RegistryClient {
  #endpoint: Endpoint | undefined;
  #challenge: Challenge | undefined;
  #connecting: Promise<void> | undefined;

  constructor(
    private readonly transport: RegistryTransport,
    private readonly tokens: TokenCache,
    readonly access: RepositoryAccess,
  ) {}

  get scope(): string {
    return `repository:${this.access.path}:${this.access.actions}`;
  }

  /** `/v2/` on each endpoint in turn; the first that answers at all is used from then on. */
  connect(): Promise<void> {
    this.#connecting ??= (async () => {
      let lastError: unknown;
      for (const endpoint of this.transport.endpoints(this.access.domain, { withMirrors: this.access.withMirrors })) {
        try {
          const response = await this.transport.send(endpoint, `${endpoint.origin}/v2/`);
          void response.body?.cancel();
          if (response.status >= 500 && endpoint.mirror) continue;
          this.#endpoint = endpoint;
          this.#challenge = response.status === 401 ? preferred(parseChallenges(response.headers.get("www-authenticate"))) : undefined;
          return;
        } catch (error) {
          lastError = error;
        }
      }
      throw lastError;
    })();
    this.#connecting.catch(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  /** Whether the endpoint in use is one of the daemon's Docker Hub mirrors. */
  async onMirror(): Promise<boolean> {
    await this.connect();
    return (this.#endpoint as Endpoint).mirror;
  }

  /** The registry's origin, for messages ("http://127.0.0.1:5000"). */
  async origin(): Promise<string> {
    await this.connect();
    return (this.#endpoint as Endpoint).origin;
  }

  /**
   * A request to `path` (under the origin, or an absolute upload URL), authorized for this
   * repository. A 401 re-reads the challenge (it may name more scope) and retries once; a body
   * that is a stream cannot be sent twice, so uploads authorize up front.
   */
  async request(path: string, init: SendInit & { scopes?: string[] } = {}): Promise<Response> {
    await this.connect();
    const endpoint = this.#endpoint as Endpoint;
    const url = path.startsWith("http") ? path : `${endpoint.origin}${path}`;
    const scopes = init.scopes ?? [this.scope];
    const send = async (challenge: Challenge | undefined, askedScopes: string[]) => {
      const authorization = await this.tokens.authorization(endpoint, challenge, this.access.credentials, askedScopes);
      return this.transport.send(endpoint, url, { ...init, headers: { ...init.headers, ...(authorization ? { Authorization: authorization } : {}) } });
    };
    const response = await send(this.#challenge, scopes);
    if (response.status !== 401 || init.body instanceof ReadableStream) return response;
    const challenge = preferred(parseChallenges(response.headers.get("www-authenticate")));
    if (!challenge) return response;
    void response.body?.cancel();
    this.#challenge = challenge;
    this.tokens.forget();
    // Some registries read only the first scope: the one the challenge asks for goes first.
    const asked = challenge.params.scope ? [challenge.params.scope, ...scopes.filter((s) => s !== challenge.params.scope)] : scopes;
    return send(challenge, asked);
  }

  /** The manifest (or index) under a tag or digest, with the digest of its exact bytes. */
  async manifest(reference: string): Promise<FetchedManifest> {
    const response = await this.request(`/v2/${this.access.path}/manifests/${reference}`, { headers: { Accept: MANIFEST_ACCEPT } });
    if (!response.ok) throw await registryError(response, `manifest for ${this.#display(reference)}`);
    const length = Number(response.headers.get("content-length") ?? 0);
    if (length > MAX_MANIFEST_BYTES) throw new UpstreamError(`manifest for ${this.#display(reference)} is too big (${length} bytes)`);
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > MAX_MANIFEST_BYTES) throw new UpstreamError(`manifest for ${this.#display(reference)} is too big (${bytes.length} bytes)`);
    const digest = sha256Digest(bytes);
    const mediaType = (response.headers.get("content-type") ?? "").split(";")[0].trim();
    return { bytes, digest, mediaType };
  }

  /** A blob's body; the caller verifies its digest as it reads. */
  async blob(digest: string): Promise<ReadableStream<Uint8Array>> {
    const response = await this.request(`/v2/${this.access.path}/blobs/${digest}`);
    if (!response.ok || !response.body) throw await registryError(response, `blob ${digest}`);
    return response.body;
  }

  async hasBlob(digest: string): Promise<boolean> {
    const response = await this.request(`/v2/${this.access.path}/blobs/${digest}`, { method: "HEAD" });
    void response.body?.cancel();
    if (response.status === 404) return false;
    if (response.ok) return true;
    throw await registryError(response, `blob ${digest}`);
  }

  /** Asks the registry to link a blob it holds in `from` into this repository; false means it started an upload instead. */
  async mount(digest: string, from: string): Promise<boolean> {
    const query = new URLSearchParams({ mount: digest, from });
    const response = await this.request(`/v2/${this.access.path}/blobs/uploads/?${query}`, {
      method: "POST",
      scopes: [this.scope, `repository:${from}:pull`],
    });
    void response.body?.cancel();
    if (response.status === 201) return true;
    if (response.status === 202) {
      // A session it opened instead; cancel it so it does not linger until the registry's purge.
      const location = response.headers.get("location");
      if (location) void this.request(new URL(location, await this.origin()).toString(), { method: "DELETE" }).then((r) => r.body?.cancel(), () => {});
      return false;
    }
    return false;
  }

  /**
   * Uploads a blob as dockerd does: POST opens a session, one PATCH streams the body, PUT with
   * the digest closes it. `digest` is asked for after the body has been read, so a stream
   * hashed as it goes can say what it was.
   */
  async upload(body: ReadableStream<Uint8Array> | Uint8Array, digest: () => string): Promise<void> {
    const opened = await this.request(`/v2/${this.access.path}/blobs/uploads/`, { method: "POST" });
    if (opened.status !== 202) throw await registryError(opened, "blob upload");
    void opened.body?.cancel();
    const origin = await this.origin();
    const location = new URL(opened.headers.get("location") ?? "", origin).toString();
    const patched = await this.request(location, { method: "PATCH", body, headers: { "Content-Type": "application/octet-stream" } });
    if (patched.status !== 202) throw await registryError(patched, "blob upload");
    void patched.body?.cancel();
    const closing = new URL(patched.headers.get("location") ?? location, origin);
    closing.searchParams.set("digest", digest());
    const closed = await this.request(closing.toString(), { method: "PUT", headers: { "Content-Length": "0" } });
    if (closed.status !== 201) throw await registryError(closed, `blob ${digest()}`);
    void closed.body?.cancel();
  }

  /** PUTs a manifest and returns the digest the registry answers with (that of our exact bytes). */
  async putManifest(reference: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    const response = await this.request(`/v2/${this.access.path}/manifests/${reference}`, { method: "PUT", body: bytes, headers: { "Content-Type": mediaType } });
    if (response.status !== 201) throw await registryError(response, `manifest for ${this.#display(reference)}`);
    void response.body?.cancel();
    const ours = sha256Digest(bytes);
    const theirs = response.headers.get("docker-content-digest") ?? ours;
    if (theirs !== ours) throw new UpstreamError(`the registry stored the manifest under ${theirs}, not its digest ${ours}`);
    return ours;
  }

  async tags(): Promise<string[]> {
    return this.#paged(`/v2/${this.access.path}/tags/list`, "tags", [this.scope]);
  }

  /** Every repository the registry lists (`/v2/_catalog`), for search on registries without `/v1/search`. */
  async catalog(): Promise<string[]> {
    return this.#paged("/v2/_catalog", "repositories", ["registry:catalog:*"]);
  }

  async #paged(first: string, field: "tags" | "repositories", scopes: string[]): Promise<string[]> {
    const all: string[] = [];
    let next: string | undefined = `${first}?n=1000`;
    while (next !== undefined) {
      const response = await this.request(next, { scopes, headers: { Accept: "application/json" } });
      if (!response.ok) throw await registryError(response, first);
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      const items = body[field];
      if (Array.isArray(items)) all.push(...items.filter((item): item is string => typeof item === "string"));
      next = /<([^>]+)>;\s*rel="?next"?/.exec(response.headers.get("link") ?? "")?.[1];
    }
    return all;
  }

  #display(reference: string): string {
    const name = this.access.domain === "docker.io" ? this.access.path.replace(/^library\//, "") : `${this.access.domain}/${this.access.path}`;
    return reference.startsWith("sha256:") ? `${name}@${reference}` : `${name}:${reference}`;
  }
}

/** Bearer over Basic when a registry offers both, as Docker chooses. */
function preferred(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === "bearer") ?? challenges.find((c) => c.scheme === "basic");
}

/** The registry's error body as Docker words it: "manifest for x:1 not found: manifest unknown: manifest unknown". */
export async function registryError(response: Response, what: string): Promise<Error> {
  const text = await response.text().catch(() => "");
  let detail = "";
  try {
    const errors = (JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> }).errors ?? [];
    detail = errors.map((e) => `${(e.code ?? "unknown").toLowerCase().replace(/_/g, " ")}: ${e.message ?? ""}`).join("; ");
  } catch {
    detail = text.trim().slice(0, 200);
  }
  if (response.status === 401) return new UnauthorizedError(detail || "unauthorized: authentication required");
  if (response.status === 404) return new NotFoundError(`${what} not found: ${detail || "manifest unknown: manifest unknown"}`);
  if (response.status === 403) return new UnauthorizedError(detail || "denied: requested access to the resource is denied");
  return new UpstreamError(`${what}: ${response.status} ${response.statusText}${detail ? `: ${detail}` : ""}`);
}
