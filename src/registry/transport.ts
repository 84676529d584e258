/**
 * How bunker reaches a registry host: which origins to try (mirrors, HTTPS, and plain HTTP only
 * for insecure registries), the TLS settings of Docker's certs.d, redirects followed by hand so
 * that a blob's CDN never sees the registry's Authorization header, and network failures
 * turned into one line that says what to do.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { join } from "node:path";
import { UpstreamError } from "../errors.ts";
import { InsecureRegistries } from "./insecure.ts";
import type { RegistryOptions } from "./types.ts";

/** Docker Hub's names and where its API really lives. */
export const DOCKER_HUB = "docker.io";
const DOCKER_HUB_API = "registry-1.docker.io";
const MAX_REDIRECTS = 5;

interface TlsSettings {
  rejectUnauthorized: boolean;
  ca?: string[];
  cert?: string;
  key?: string;
}

/** One place a registry can be reached: an origin and how to speak TLS to it. */
export interface Endpoint {
  /** "https://registry-1.docker.io", "http://127.0.0.1:5000". */
  origin: string;
  /** The registry it serves ("docker.io" for a mirror too): what credentials and scopes are about. */
  domain: string;
  tls?: TlsSettings;
  mirror: boolean;
}

export interface SendInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | ReadableStream<Uint8Array> | null;
  signal?: AbortSignal;
}

export class RegistryTransport {
  #insecure: InsecureRegistries;

  constructor(public options: RegistryOptions) {
    this.#insecure = new InsecureRegistries(options.insecureRegistries);
  }

  /** New mirrors and insecure registries (a daemon reload); requests already sent keep what they had. */
  reconfigure(options: RegistryOptions): void {
    this.options = options;
    this.#insecure = new InsecureRegistries(options.insecureRegistries);
  }

  isInsecure(domain: string): boolean {
    return this.#insecure.has(domain);
  }

  /** Where to try `domain`, in order: mirrors (Docker Hub only), then HTTPS, then HTTP if insecure. */
  endpoints(domain: string, { withMirrors = false } = {}): Endpoint[] {
    const list: Endpoint[] = [];
    if (withMirrors && domain === DOCKER_HUB) {
      for (const mirror of this.options.mirrors) {
        const url = new URL(mirror);
        list.push({ origin: url.origin, domain, tls: this.#tlsFor(url.host, url.protocol === "http:" || this.isInsecure(url.host)), mirror: true });
      }
    }
    const host = domain === DOCKER_HUB ? DOCKER_HUB_API : domain;
    const insecure = this.isInsecure(host);
    list.push({ origin: `https://${host}`, domain, tls: this.#tlsFor(host, insecure), mirror: false });
    if (insecure) list.push({ origin: `http://${host}`, domain, mirror: false });
    return list;
  }

  /**
   * One request, redirects followed by hand: Authorization goes only to the endpoint's own
   * origin, never to the CDN a blob redirects to.
   */
  async send(endpoint: Endpoint, url: string, init: SendInit = {}): Promise<Response> {
    let target = url;
    let headers = { ...init.headers };
    for (let hop = 0; ; hop++) {
      const sameOrigin = new URL(target).origin === endpoint.origin;
      let response: Response;
      try {
        response = await fetch(target, {
          method: init.method ?? "GET",
          headers,
          body: init.body,
          redirect: "manual",
          signal: init.signal,
          tls: sameOrigin ? endpoint.tls : undefined,
          // Layers can take long; a stalled registry is the user's to interrupt, as with docker.
          timeout: false,
        } as RequestInit);
      } catch (error) {
        throw networkError(init.method ?? "GET", target, error, endpoint, this.options.certsDir);
      }
      const location = response.headers.get("location");
      if (response.status < 300 || response.status >= 400 || location === null || hop >= MAX_REDIRECTS) return response;
      void response.body?.cancel();
      const next = new URL(location, target).toString();
      if (new URL(next).origin !== endpoint.origin) {
        const { authorization: _dropped, Authorization: _Dropped, ...rest } = headers;
        headers = rest;
      }
      target = next;
    }
  }

  /** certs.d for `host`: its CAs (added to the system's), and a client certificate if one is there. */
  #tlsFor(host: string, insecure: boolean): TlsSettings {
    const dir = join(this.options.certsDir, host);
    const tls: TlsSettings = { rejectUnauthorized: !insecure };
    if (!existsSync(dir)) return tls;
    const cas = readdirSync(dir).filter((name) => name.endsWith(".crt"));
    if (cas.length > 0) tls.ca = [...rootCertificates, ...cas.map((name) => readFileSync(join(dir, name), "utf8"))];
    if (existsSync(join(dir, "client.cert")) && existsSync(join(dir, "client.key"))) {
      tls.cert = readFileSync(join(dir, "client.cert"), "utf8");
      tls.key = readFileSync(join(dir, "client.key"), "utf8");
    }
    return tls;
  }
}

const TLS_VERIFY_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|UNABLE_TO_GET_ISSUER/;

/** Go's wording (`Get "URL": dial tcp …`), with the way out when it is TLS trust. */
export function networkError(method: string, url: string, error: unknown, endpoint: Endpoint, certsDir: string): UpstreamError {
  const code = (error as { code?: string }).code ?? "";
  const verb = method[0] + method.slice(1).toLowerCase();
  const where = `${verb} "${url}"`;
  const host = new URL(url).host;
  if (code === "ECONNREFUSED") return new UpstreamError(`${where}: dial tcp ${host}: connect: connection refused`);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new UpstreamError(`${where}: dial tcp: lookup ${new URL(url).hostname}: no such host`);
  if (TLS_VERIFY_CODES.test(code)) {
    return new UpstreamError(
      `${where}: x509: certificate signed by unknown authority (${code}); trust the registry's CA by putting it in ${join(certsDir, endpoint.domain)}/ca.crt, or mark the registry insecure with --insecure-registry ${endpoint.domain}`,
    );
  }
  if (code === "EPROTO") return new UpstreamError(`${where}: http: server gave HTTP response to HTTPS client`);
  const message = error instanceof Error ? error.message : String(error);
  return new UpstreamError(`${where}: ${message}`);
}
