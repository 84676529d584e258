/**
 * Authorization for registry requests, from the challenge the registry's `/v2/` sent: Basic
 * credentials as they are, or Bearer tokens from the token service it names, one per scope
 * ("repository:bb:pull"), cached until they expire and fetched once however many layers ask.
 */
import { UnauthorizedError, UpstreamError } from "../errors.ts";
import type { Challenge } from "./challenge.ts";
import type { Endpoint, RegistryTransport } from "./transport.ts";
import type { Credentials } from "./types.ts";

/** Docker's default when a token service says nothing of expiry (the spec's 60 s). */
const DEFAULT_TOKEN_SECONDS = 60;
/** Renew this long before expiry, so a token never runs out between check and use. */
const EXPIRY_MARGIN_MS = 5_000;

interface CachedToken {
  token: Promise<string>;
  expiresAt: number;
}

export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username ?? ""}:${credentials.password ?? ""}`).toString("base64")}`;
}

export const hasPassword = (credentials: Credentials) => credentials.username !== undefined && credentials.username !== "";

export class TokenCache {
  readonly #tokens = new Map<string, CachedToken>();

  constructor(private readonly transport: RegistryTransport) {}

  /** The Authorization header for `scopes` under `challenge`, or undefined when the registry asks for none. */
  async authorization(endpoint: Endpoint, challenge: Challenge | undefined, credentials: Credentials, scopes: string[]): Promise<string | undefined> {
    if (credentials.registryToken) return `Bearer ${credentials.registryToken}`;
    if (challenge === undefined) return undefined;
    if (challenge.scheme === "basic") {
      if (!hasPassword(credentials)) throw new UnauthorizedError("no basic auth credentials");
      return basicAuthorization(credentials);
    }
    if (challenge.scheme !== "bearer") throw new UpstreamError(`unsupported authentication scheme: ${challenge.scheme}`);
    const { realm, service = "" } = challenge.params;
    if (!realm) throw new UpstreamError("the registry's Bearer challenge names no realm");
    // Keyed by the password too: a login with a wrong one must not find the right one's token.
    const key = JSON.stringify([realm, service, scopes, credentials.username ?? "", credentials.password ?? "", credentials.identityToken ?? ""]);
    const cached = this.#tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return `Bearer ${await cached.token}`;
    const entry: CachedToken = { token: Promise.resolve(""), expiresAt: Number.POSITIVE_INFINITY };
    entry.token = this.#fetchToken(endpoint, realm, service, scopes, credentials).then(
      ({ token, seconds }) => {
        entry.expiresAt = Date.now() + seconds * 1000 - EXPIRY_MARGIN_MS;
        return token;
      },
      (error: unknown) => {
        this.#tokens.delete(key);
        throw error;
      },
    );
    this.#tokens.set(key, entry);
    return `Bearer ${await entry.token}`;
  }

  /** Forgets a token the registry refused, so the next attempt fetches a new one. */
  forget(): void {
    this.#tokens.clear();
  }

  async #fetchToken(endpoint: Endpoint, realm: string, service: string, scopes: string[], credentials: Credentials): Promise<{ token: string; seconds: number }> {
    const url = new URL(realm);
    // An identity token (an OAuth refresh token from an earlier login) is traded by POST, as the token spec says.
    const form = credentials.identityToken
      ? new URLSearchParams({ grant_type: "refresh_token", refresh_token: credentials.identityToken, service, scope: scopes.join(" "), client_id: "docker" })
      : undefined;
    if (!form && service) url.searchParams.set("service", service);
    if (!form) for (const scope of scopes) url.searchParams.append("scope", scope);
    const headers: Record<string, string> = form ? { "Content-Type": "application/x-www-form-urlencoded" } : {};
    if (!form && hasPassword(credentials)) {
      url.searchParams.set("account", credentials.username ?? "");
      headers.Authorization = basicAuthorization(credentials);
    }
    // The realm is its own origin, verified against the system CAs; only the credentials set above ride along.
    const response = await this.transport.send({ ...endpoint, origin: url.origin, tls: undefined }, url.toString(), { method: form ? "POST" : "GET", headers, body: form?.toString() });
    if (response.status === 401 || response.status === 403) {
      void response.body?.cancel();
      throw new UnauthorizedError("unauthorized: incorrect username or password");
    }
    if (!response.ok) {
      void response.body?.cancel();
      throw new UpstreamError(`token service ${url.origin} answered ${response.status} ${response.statusText}`);
    }
    const body = (await response.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown; expires_in?: unknown };
    const token = typeof body.token === "string" && body.token !== "" ? body.token : body.access_token;
    if (typeof token !== "string" || token === "") throw new UpstreamError(`token service ${url.origin} sent no token`);
    const seconds = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    return { token, seconds };
  }
}
