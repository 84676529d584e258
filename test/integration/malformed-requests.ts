/**
 * Randomized malformed requests to every route of the API: wrong types, nulls, huge numbers,
 * bad names, truncated JSON, invalid UTF-8, unknown methods. Seeded, so a failure can be
 * replayed. Nothing generated names a host other than the daemon: no `http` value is ever
 * made, so no route fetches from outside.
 */

export interface MalformedRequest {
  head: string;
  body: Uint8Array;
}

/** mulberry32: small, fast, and the same sequence for the same seed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROUTES: [string, string][] = [
  ["GET", "/containers/json"], ["POST", "/containers/create"], ["GET", "/containers/{id}/json"], ["POST", "/containers/{id}/start"],
  ["POST", "/containers/{id}/stop"], ["POST", "/containers/{id}/restart"], ["POST", "/containers/{id}/kill"], ["POST", "/containers/{id}/wait"],
  ["POST", "/containers/{id}/resize"], ["GET", "/containers/{id}/logs"], ["DELETE", "/containers/{id}"], ["GET", "/containers/{id}/changes"],
  ["GET", "/containers/{id}/export"], ["GET", "/containers/{id}/archive"], ["HEAD", "/containers/{id}/archive"], ["PUT", "/containers/{id}/archive"],
  ["GET", "/containers/{id}/top"], ["POST", "/commit"], ["GET", "/images/json"], ["POST", "/images/create"], ["GET", "/images/{name}/json"],
  ["GET", "/images/{name}/history"], ["POST", "/images/{name}/tag"], ["DELETE", "/images/{name}"], ["POST", "/images/prune"],
  ["GET", "/images/get"], ["GET", "/images/{name}/get"], ["POST", "/images/load"], ["GET", "/_ping"], ["GET", "/version"], ["GET", "/info"],
  ["POST", "/containers/{id}/attach"], ["GET", "/nowhere"],
];

const METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", "FOO", "BREW"];

const QUERY_KEYS = ["all", "limit", "filters", "name", "t", "signal", "condition", "h", "w", "stdout", "stderr", "follow", "tail", "since", "timestamps",
  "force", "v", "path", "container", "repo", "tag", "changes", "pause", "fromSrc", "fromImage", "names", "noOverwriteDirNonDir", "ps_args", "size", "stream", "logs"];

const NASTY_STRINGS = ["", " ", "-1", "0", "1", "1e308", "99999999999999999999999", "-99999999999999999999", "NaN", "true", "null", "[]", "{}",
  '{"status":5}', '{"status":null}', '{"label":{"a":"b"}}', '{"dangling":["maybe"]}', '{"reference":[1]}', "{", "%ZZ", "%00", "../../etc/passwd",
  "/", "-", "a".repeat(5000), "sha256:", "ünï\u0000cödé", "KILL", "SIGFOO", "0x10", "1.5", "base", "base:latest", "scratch"];

const NAMES = ["base", "nope", "../..", "%2e%2e%2f", "a:b:c", "UPPER", "x".repeat(300), "sha256:zz", "0", "-", "%00", "%E0%A4%A", "@@", "base@sha256:00"];

/** Values of every JSON type, the wrong ones included. */
function jsonValue(rand: () => number, depth = 0): unknown {
  const kinds = ["null", "bool", "int", "huge", "float", "string", "array", "object"];
  const kind = kinds[Math.floor(rand() * (depth > 2 ? 6 : kinds.length))];
  switch (kind) {
    case "null": return null;
    case "bool": return rand() < 0.5;
    case "int": return Math.floor(rand() * 200) - 100;
    case "huge": return [1e308, -1e308, 2 ** 63, Number.MAX_SAFE_INTEGER + 2][Math.floor(rand() * 4)];
    case "float": return rand() * 10;
    case "string": return NASTY_STRINGS[Math.floor(rand() * NASTY_STRINGS.length)];
    case "array": return Array.from({ length: Math.floor(rand() * 3) }, () => jsonValue(rand, depth + 1));
    default: return Object.fromEntries(Array.from({ length: Math.floor(rand() * 3) }, (_, i) => [`k${i}`, jsonValue(rand, depth + 1)]));
  }
}

/** A create body close to what the docker CLI sends, with some fields swapped for values of the wrong type. */
function mutatedCreateBody(rand: () => number): unknown {
  const body: Record<string, unknown> = {
    Image: "base", Cmd: ["true"], Env: ["A=b"], Tty: false, OpenStdin: false, Labels: { a: "b" }, ExposedPorts: { "80/tcp": {} }, Volumes: {},
    Entrypoint: null, WorkingDir: "", User: "", StopTimeout: 1,
    HostConfig: { NetworkMode: "none", Binds: null, PortBindings: {}, RestartPolicy: { Name: "no", MaximumRetryCount: 0 }, LogConfig: { Type: "json-file", Config: {} }, Dns: [], ExtraHosts: null, ConsoleSize: [0, 0], AutoRemove: false },
  };
  const mutations = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < mutations; i++) {
    const keys = Object.keys(body);
    const key = keys[Math.floor(rand() * keys.length)]!;
    const host = body.HostConfig;
    if (key === "HostConfig" && host !== null && typeof host === "object" && !Array.isArray(host) && rand() < 0.8) {
      const hostKeys = Object.keys(host);
      if (hostKeys.length) (host as Record<string, unknown>)[hostKeys[Math.floor(rand() * hostKeys.length)]!] = jsonValue(rand);
    } else if (Array.isArray(body[key]) && rand() < 0.5) {
      (body[key] as unknown[]).push(jsonValue(rand));
    } else {
      body[key] = jsonValue(rand);
    }
  }
  return body;
}

/** Where every fuzzed pull goes: nothing listens on port 1, so no request leaves the machine. */
export const UNREACHABLE_REGISTRY = "127.0.0.1:1/";

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

function queryValue(rand: () => number): string {
  const value = pick(rand, NASTY_STRINGS);
  return rand() < 0.8 ? encodeURIComponent(value) : value.replace(/[ \r\n]/g, "");
}

function body(rand: () => number, path: string): Uint8Array {
  const roll = rand();
  if (path.endsWith("/create") && path.startsWith("/containers") && roll < 0.6) return new TextEncoder().encode(JSON.stringify(mutatedCreateBody(rand)));
  if (roll < 0.3) {
    const text = JSON.stringify(path.startsWith("/commit") ? jsonValue(rand) : mutatedCreateBody(rand));
    return new TextEncoder().encode(text.slice(0, Math.floor(rand() * text.length))); // truncated
  }
  if (roll < 0.45) return Uint8Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)); // not UTF-8, not JSON
  if (roll < 0.7) return new TextEncoder().encode(JSON.stringify(jsonValue(rand)));
  return new Uint8Array(0);
}

export function malformedRequest(rand: () => number, containerId: string): MalformedRequest {
  let [method, template] = pick(rand, ROUTES);
  if (rand() < 0.1) method = pick(rand, METHODS);
  const path = template
    .replace("{id}", rand() < 0.5 ? containerId : encodeURIComponent(pick(rand, NAMES)))
    .replace("{name}", rand() < 0.3 ? "base" : pick(rand, NAMES));
  const query = Array.from({ length: Math.floor(rand() * 4) }, () => {
    const key = pick(rand, QUERY_KEYS);
    // A pull reaches out to the registry the name names: always one on loopback that refuses.
    return key === "fromImage" ? `${key}=${encodeURIComponent(UNREACHABLE_REGISTRY)}${queryValue(rand)}` : `${key}=${queryValue(rand)}`;
  })
    // Never a URL: import and insert would fetch it.
    .filter((pair) => !/=https?/.test(pair));
  const version = rand() < 0.5 ? "/v1.41" : rand() < 0.5 ? "" : "/v9.99";
  const data = body(rand, template);
  const json = rand() < 0.8 ? "\r\nContent-Type: application/json" : "";
  const head = `${method} ${version}${path}${query.length ? `?${query.join("&")}` : ""} HTTP/1.1\r\nHost: bunker${json}\r\nContent-Length: ${data.length}`;
  return { head, body: data };
}
