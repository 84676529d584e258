/**
 * Real registries for the ship tests: Debian's docker-registry (distribution 2.8) on
 * 127.0.0.1 with its own temp storage, open, with htpasswd (bcrypt) auth, or with token auth
 * against a small token service run here (ES256 JWTs whose certificate is the registry's
 * rootcertbundle), optionally over TLS from a CA made with openssl.
 */
import { createPrivateKey, randomUUID, sign } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Server, Subprocess } from "bun";
import { issueCert, makeCa, openssl } from "./test-ca.ts";

export interface RegistryUsers {
  [user: string]: string;
}

export interface RegistryOptions {
  auth?: "htpasswd" | "token";
  users?: RegistryUsers;
  /** Serve HTTPS with a certificate for its address signed by a CA made here (see `caCert`). */
  tls?: boolean;
  /** Listen on this address inside this network namespace (one the test made) instead of 127.0.0.1. */
  netns?: { name: string; address: string };
}

function freePort(): number {
  const socket = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = socket.port;
  socket.stop(true);
  return port;
}

function bcrypt(password: string): string {
  const r = Bun.spawnSync(["python3", "-W", "ignore", "-c", "import crypt,sys;print(crypt.crypt(sys.argv[1],crypt.mksalt(crypt.METHOD_BLOWFISH)))", password]);
  if (r.exitCode !== 0) throw new Error(`bcrypt: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

const b64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

/** The token service: Basic-checked users get what they ask for; anonymous callers get pull on `public/*` only. */
class TokenService {
  readonly #server: Server<undefined>;
  readonly #key: ReturnType<typeof createPrivateKey>;
  readonly #x5c: string;
  /** Every query it was asked, for tests of what clients request. */
  readonly requests: URLSearchParams[] = [];

  constructor(keyPem: string, certPem: string, readonly service: string, readonly issuer: string, users: RegistryUsers) {
    this.#key = createPrivateKey(keyPem);
    this.#x5c = certPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
    this.#server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (request) => {
        const url = new URL(request.url);
        this.requests.push(url.searchParams);
        const basic = /^Basic (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
        let subject = "";
        if (basic) {
          const [user, ...rest] = Buffer.from(basic, "base64").toString().split(":");
          if (users[user] !== rest.join(":")) return Response.json({ details: "incorrect username or password" }, { status: 401 });
          subject = user;
        }
        const access = url.searchParams.getAll("scope").flatMap((scope) => {
          const [type, name, actions] = scope.split(":");
          const granted = subject !== "" ? actions.split(",") : name.startsWith("public/") ? ["pull"] : [];
          return granted.length ? [{ type, name, actions: granted }] : [];
        });
        const token = this.#jwt(subject, access);
        return Response.json({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() });
      },
    });
  }

  get realm(): string {
    return `http://127.0.0.1:${this.#server.port}/token`;
  }

  #jwt(subject: string, access: object[]): string {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: "JWT", alg: "ES256", x5c: [this.#x5c] }));
    const claims = b64url(JSON.stringify({ iss: this.issuer, sub: subject, aud: this.service, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access }));
    const signature = sign("sha256", Buffer.from(`${header}.${claims}`), { key: this.#key, dsaEncoding: "ieee-p1363" });
    return `${header}.${claims}.${b64url(signature)}`;
  }

  stop(): void {
    this.#server.stop(true);
  }
}

export class TestRegistry {
  readonly dir = mkdtempSync("/tmp/bunker-test-registry-");
  readonly port: number;
  #process: Subprocess | undefined;
  #tokens: TokenService | undefined;

  private constructor(readonly options: RegistryOptions) {
    this.port = options.netns ? 5000 : freePort();
  }

  /** "127.0.0.1:PORT", as image names and `login` use it. */
  get host(): string {
    return `${this.options.netns?.address ?? "127.0.0.1"}:${this.port}`;
  }

  get url(): string {
    return `${this.options.tls ? "https" : "http"}://${this.host}`;
  }

  /** The CA that signed the TLS certificate (with `tls`). */
  get caCert(): string {
    return join(this.dir, "ca.crt");
  }

  get tokenRequests(): URLSearchParams[] {
    return this.#tokens?.requests ?? [];
  }

  static async start(options: RegistryOptions = {}): Promise<TestRegistry> {
    const registry = new TestRegistry(options);
    await registry.#start();
    return registry;
  }

  /** Where the registry keeps a blob's bytes (to corrupt it). */
  blobPath(digest: string): string {
    const hex = digest.replace(/^sha256:/, "");
    return join(this.dir, "storage/docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
  }

  async #start(): Promise<void> {
    const lines = ["version: 0.1", "log: {level: warn}", `storage: {filesystem: {rootdirectory: ${join(this.dir, "storage")}}, delete: {enabled: true}}`];
    let http = `http: {addr: ${this.host}`;
    if (this.options.tls) {
      const ca = makeCa(this.dir);
      copyFileSync(ca.cert, this.caCert);
      const server = issueCert(ca, this.dir, "tls", { serverIp: this.options.netns?.address ?? "127.0.0.1" });
      http += `, tls: {certificate: ${server.cert}, key: ${server.key}}`;
    }
    lines.push(`${http}}`);
    const users = this.options.users ?? { alice: "wonderland" };
    if (this.options.auth === "htpasswd") {
      writeFileSync(join(this.dir, "htpasswd"), Object.entries(users).map(([user, password]) => `${user}:${bcrypt(password)}\n`).join(""));
      lines.push(`auth: {htpasswd: {realm: bunker-test, path: ${join(this.dir, "htpasswd")}}}`);
    } else if (this.options.auth === "token") {
      openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=bunker test tokens", "-keyout", join(this.dir, "token.key"), "-out", join(this.dir, "token.crt"));
      this.#tokens = new TokenService(readFileSync(join(this.dir, "token.key"), "utf8"), readFileSync(join(this.dir, "token.crt"), "utf8"), "bunker-test-registry", "bunker-test-issuer", users);
      lines.push(`auth: {token: {realm: ${this.#tokens.realm}, service: bunker-test-registry, issuer: bunker-test-issuer, rootcertbundle: ${join(this.dir, "token.crt")}}}`);
    }
    writeFileSync(join(this.dir, "config.yml"), `${lines.join("\n")}\n`);
    const inNamespace = this.options.netns ? ["ip", "netns", "exec", this.options.netns.name] : [];
    this.#process = Bun.spawn([...inNamespace, "docker-registry", "serve", join(this.dir, "config.yml")], { stdout: Bun.file(join(this.dir, "registry.log")), stderr: Bun.file(join(this.dir, "registry.err")) });
    for (let i = 0; i < 200; i++) {
      try {
        if (this.#process.exitCode !== null) break;
        await fetch(`${this.url}/v2/`, { tls: { rejectUnauthorized: false } } as RequestInit);
        return;
      } catch {
        await Bun.sleep(50);
      }
    }
    throw new Error(`docker-registry did not start: ${readFileSync(join(this.dir, "registry.err"), "utf8")}`);
  }

  async stop(): Promise<void> {
    this.#process?.kill();
    await this.#process?.exited;
    this.#tokens?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * An HTTP proxy in front of a registry, for what a test must see or slow down: it records every
 * request (method, path, when it began and ended) and can throttle response bodies.
 */
export class RecordingProxy {
  readonly #server: Server<undefined>;
  readonly requests: Array<{ method: string; path: string; start: number; end?: number }> = [];
  /** Response bytes per second for blob bodies; 0 = as fast as they come. */
  throttle = 0;

  constructor(private readonly target: string) {
    this.#server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      idleTimeout: 120,
      fetch: async (request) => {
        const url = new URL(request.url);
        const entry: { method: string; path: string; start: number; end?: number } = { method: request.method, path: url.pathname, start: performance.now() };
        this.requests.push(entry);
        const upstream = await fetch(`${this.target}${url.pathname}${url.search}`, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          redirect: "manual",
          decompress: false,
        } as RequestInit);
        const headers = new Headers(upstream.headers);
        const location = headers.get("location");
        if (location) headers.set("location", location.replace(this.target, `http://${this.host}`));
        if (!upstream.body || !url.pathname.includes("/blobs/")) {
          entry.end = performance.now();
          return new Response(upstream.body, { status: upstream.status, headers });
        }
        const body = upstream.body.pipeThrough(this.#pace(entry));
        return new Response(body, { status: upstream.status, headers });
      },
    });
  }

  get host(): string {
    return `127.0.0.1:${this.#server.port}`;
  }

  /** GETs of these blobs that were under way at once, at most. */
  maxConcurrentBlobGets(digests: string[]): number {
    const gets = this.requests.filter((r) => r.method === "GET" && digests.some((digest) => r.path.endsWith(`/blobs/${digest}`)));
    let max = 0;
    for (const a of gets) max = Math.max(max, gets.filter((b) => b.start <= a.start && (b.end ?? Infinity) > a.start).length);
    return max;
  }

  blobGets(digest: string): number {
    return this.requests.filter((r) => r.method === "GET" && r.path.endsWith(`/blobs/${digest}`)).length;
  }

  #pace(entry: { end?: number }): TransformStream<Uint8Array, Uint8Array> {
    const proxy = this;
    return new TransformStream({
      async transform(chunk, controller) {
        const rate = proxy.throttle;
        if (rate <= 0) return controller.enqueue(chunk);
        const slice = Math.max(1, Math.floor(rate / 20));
        for (let at = 0; at < chunk.length; at += slice) {
          controller.enqueue(chunk.subarray(at, at + slice));
          await Bun.sleep(50);
        }
      },
      flush() {
        entry.end = performance.now();
      },
    });
  }

  stop(): void {
    this.#server.stop(true);
  }
}
