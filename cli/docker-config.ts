/**
 * Credentials where the docker CLI keeps them, so a login with either CLI serves both:
 * `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`), `auths.<server>.auth` =
 * base64("user:password"). The file is rewritten atomically with mode 0600, and every other
 * key in it (credsStore, proxies, the CLI's own settings) is kept as it was.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../src/util/atomic-write.ts";

/** Docker Hub's key in config.json: the v1 index URL, for historical reasons. */
export const DOCKER_HUB_KEY = "https://index.docker.io/v1/";

export interface StoredCredentials {
  username: string;
  password: string;
}

interface ConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  [key: string]: unknown;
}

export function configPath(): string {
  return join(process.env.DOCKER_CONFIG ?? join(homedir(), ".docker"), "config.json");
}

/** The config.json key for a registry host or server address ("docker.io" → the v1 index URL). */
export function serverKey(server: string): string {
  const bare = server.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  if (bare === "" || bare === "docker.io" || bare === "index.docker.io" || bare === "registry-1.docker.io") return DOCKER_HUB_KEY;
  return bare;
}

function read(): ConfigFile {
  const path = configPath();
  if (!existsSync(path)) return {};
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as unknown;
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as ConfigFile) : {};
  } catch (error) {
    throw new Error(`loading config file ${path}: ${(error as Error).message}`);
  }
}

function write(config: ConfigFile): void {
  const path = configPath();
  mkdirSync(join(path, ".."), { recursive: true, mode: 0o700 });
  writeFileAtomic(path, `${JSON.stringify(config, null, "\t")}\n`, 0o600);
}

/** Entries are matched as the docker CLI does: the bare host, or the host written as a URL. */
function findKey(auths: NonNullable<ConfigFile["auths"]>, key: string): string | undefined {
  if (auths[key]) return key;
  return Object.keys(auths).find((candidate) => serverKey(candidate) === key);
}

export function loadCredentials(server: string): StoredCredentials | undefined {
  const auths = read().auths ?? {};
  const key = findKey(auths, serverKey(server));
  const encoded = key === undefined ? undefined : auths[key]?.auth;
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function storeCredentials(server: string, credentials: StoredCredentials): string {
  const config = read();
  config.auths = { ...config.auths, [serverKey(server)]: { auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64") } };
  write(config);
  return configPath();
}

/** Forgets the server's credentials; false when there were none. */
export function removeCredentials(server: string): boolean {
  const config = read();
  const key = config.auths ? findKey(config.auths, serverKey(server)) : undefined;
  if (key === undefined || !config.auths) return false;
  delete config.auths[key];
  write(config);
  return true;
}

/** X-Registry-Auth for a registry host, as the docker CLI encodes it: base64url JSON, "e30=" (`{}`) when logged out. */
export function registryAuthHeader(domain: string): string {
  const key = serverKey(domain);
  const stored = loadCredentials(key);
  const body = stored ? { username: stored.username, password: stored.password, serveraddress: key } : {};
  const json = JSON.stringify(body);
  return Buffer.from(json).toString("base64url").padEnd(Math.ceil(Buffer.byteLength(json) / 3) * 4, "=");
}

/** X-Registry-Config for a build: every stored login, server → AuthConfig, so a FROM the daemon must pull can use it. */
export function registryConfigHeader(): string {
  const auths = read().auths ?? {};
  const config: Record<string, { username: string; password: string; serveraddress: string }> = {};
  for (const server of Object.keys(auths)) {
    const stored = loadCredentials(server);
    if (stored) config[server] = { ...stored, serveraddress: server };
  }
  return Buffer.from(JSON.stringify(config)).toString("base64url");
}
