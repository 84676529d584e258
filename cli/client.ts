/**
 * The Engine API client: every command talks to the daemon through this, over a unix socket
 * (or TCP), always at API version 1.41. The daemon speaks only 1.41, so unlike the docker CLI
 * we skip the `/_ping` version negotiation.
 */

import type { ClientTls } from "./tls-settings.ts";

export const API_VERSION = "1.41";
export const DEFAULT_HOST = "unix:///var/run/bunker.sock";

export type Endpoint = { kind: "unix"; path: string } | { kind: "tcp"; hostname: string; port: number };

/** The daemon answered with an error status; `message` is its `{"message"}` (or the raw body). */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class DaemonUnreachableError extends Error {
  override name = "DaemonUnreachableError";
  constructor(host: string) {
    super(`Cannot connect to the bunker daemon at ${host}. Is the bunker daemon running?`);
  }
}

/** Parses `-H`: `unix:///path` or `tcp://host:port`. */
export function parseHost(host: string): Endpoint {
  if (host.startsWith("unix://")) {
    const path = host.slice("unix://".length);
    if (path !== "") return { kind: "unix", path };
  } else if (host.startsWith("tcp://")) {
    const url = new URL(`http://${host.slice("tcp://".length)}`);
    if (url.port !== "") return { kind: "tcp", hostname: url.hostname, port: Number(url.port) };
  }
  throw new Error(`invalid daemon address "${host}": use unix:///path or tcp://host:port`);
}

export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue | string[]>;
  /** Sent as `application/json`. */
  json?: unknown;
  /** A raw body, streamed as it is read (import). */
  body?: ReadableStream<Uint8Array>;
  headers?: Record<string, string>;
}

/** One path segment for a URL, keeping the `/` and `:` of image names as docker does. */
export function pathPart(name: string): string {
  return encodeURIComponent(name).replace(/%2F/gi, "/").replace(/%3A/gi, ":");
}

/** `{a: 1, b: true, c: false}` → `?a=1&b=1`; booleans are sent as `1` like the docker CLI, false ones omitted. */
export function queryString(query: Record<string, QueryValue | string[]> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === false) continue;
    for (const one of Array.isArray(value) ? value : [value]) params.append(key, value === true ? "1" : String(one));
  }
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

export class ApiClient {
  readonly endpoint: Endpoint;

  constructor(
    /** The address as the user gave it, for error messages. */
    readonly host: string,
    private readonly debug = false,
    /** TLS for a tcp:// daemon. */
    readonly tls?: ClientTls,
  ) {
    this.endpoint = parseHost(host);
  }

  /** TLS options for a connection to a tcp:// daemon, as node:tls and Bun's fetch take them. */
  get tlsOptions(): { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean } | undefined {
    if (!this.tls || this.endpoint.kind !== "tcp") return undefined;
    return { ca: this.tls.ca, cert: this.tls.cert, key: this.tls.key, rejectUnauthorized: this.tls.verify };
  }

  /** Resolves once the response headers arrive; throws ApiError for statuses >= 400 (304 is success). */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const url = this.url(path, options.query);
    if (this.debug) console.error(`DEBU ${method} ${url}`);
    const headers: Record<string, string> = { ...options.headers };
    let body: string | ReadableStream<Uint8Array> | undefined = options.body;
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.json);
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body,
        // wait, logs -f and attached runs may sit idle for hours: no idle timeout, as with docker.
        timeout: false,
        ...(this.endpoint.kind === "unix" ? { unix: this.endpoint.path } : {}),
        ...(this.tlsOptions ? { tls: this.tlsOptions } : {}),
      });
    } catch {
      throw new DaemonUnreachableError(this.host);
    }
    if (response.status >= 400) throw new ApiError(response.status, await errorMessage(response));
    return response;
  }

  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.request(method, path, options)).json() as Promise<T>;
  }

  private url(path: string, query?: Record<string, QueryValue | string[]>): string {
    const scheme = this.tlsOptions ? "https" : "http";
    const origin = this.endpoint.kind === "unix" ? "http://localhost" : `${scheme}://${this.endpoint.hostname}:${this.endpoint.port}`;
    return `${origin}/v${API_VERSION}${path}${queryString(query)}`;
  }
}

async function errorMessage(response: Response): Promise<string> {
  return messageFromBody(await response.text()) || `${response.status} ${response.statusText}`;
}

/** The `message` of a JSON error body, else the body itself. */
export function messageFromBody(body: string): string {
  const text = body.trim();
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && "message" in parsed && typeof parsed.message === "string") return parsed.message;
  } catch {
    // Not JSON: docker shows the raw body, and so do we.
  }
  return text;
}

/** The one line a command prints for a failure, as docker words it. */
export function errorLine(error: unknown): string {
  if (error instanceof ApiError) return `Error response from daemon: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A JSON message stream (import, pull, events, stats): whitespace-separated objects, one per line from the daemon. */
export async function* jsonMessages<T = JsonMessage>(response: Response): AsyncGenerator<T> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of response.body) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) if (line.trim() !== "") yield JSON.parse(line) as T;
  }
  if (buffered.trim() !== "") yield JSON.parse(buffered) as T;
}

export interface JsonMessage {
  status?: string;
  /** Text to print as it is (load, build). */
  stream?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { code?: number; message?: string };
}
