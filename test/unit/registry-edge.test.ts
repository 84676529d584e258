import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { credentialsFromHeader } from "../../daemon/registry-auth.ts";
import { pullReference } from "../../daemon/routes/registry.ts";
import { loadCredentials, registryAuthHeader, removeCredentials, storeCredentials } from "../../cli/docker-config.ts";
import { displayProgress } from "../../cli/progress.ts";
import { InvalidArgumentError } from "../../src/errors.ts";

const H = `sha256:${"e".repeat(64)}`;

describe("X-Registry-Auth", () => {
  const encode = (value: object, form: "base64url" | "base64") => Buffer.from(JSON.stringify(value)).toString(form);
  test("the docker CLI's base64url and docker-py's base64, padded or not; e30= is nobody", () => {
    const auth = { username: "u", password: "p?>~", serveraddress: "r:5000" };
    expect(credentialsFromHeader(encode(auth, "base64url"))).toEqual({ credentials: { username: "u", password: "p?>~" }, serverAddress: "r:5000" });
    expect(credentialsFromHeader(encode(auth, "base64"))).toEqual({ credentials: { username: "u", password: "p?>~" }, serverAddress: "r:5000" });
    expect(credentialsFromHeader("e30=")).toEqual({ credentials: {}, serverAddress: undefined });
    expect(credentialsFromHeader(undefined)).toEqual({ credentials: {} });
  });
  test("`auth` stands in for the pair; nulls are nothing", () => {
    const header = encode({ auth: Buffer.from("ann:se:cret").toString("base64"), email: null, username: null }, "base64url");
    expect(credentialsFromHeader(header).credentials).toEqual({ username: "ann", password: "se:cret" });
  });
  test("garbage and wrong types are a 400", () => {
    expect(() => credentialsFromHeader("!!!not base64 json")).toThrow(InvalidArgumentError);
    expect(() => credentialsFromHeader(encode({ username: 5 }, "base64url"))).toThrow("invalid auth config: username");
  });
});

describe("pull references as clients send them", () => {
  test.each([
    ["busybox", "latest", { ref: { repo: "busybox", tag: "latest" }, allTags: false }],
    ["docker.io/library/busybox", "1", { ref: { repo: "busybox", tag: "1" }, allTags: false }],
    ["localhost:5000/bb", H, { ref: { repo: "localhost:5000/bb", digest: H }, allTags: false }],
    ["localhost:5000/bb", undefined, { ref: { repo: "localhost:5000/bb" }, allTags: true }],
    ["busybox:musl", undefined, { ref: { repo: "busybox", tag: "musl" }, allTags: false }],
  ])("%s tag=%s", (fromImage, tag, expected) => {
    expect(pullReference(fromImage, tag)).toEqual(expected as ReturnType<typeof pullReference>);
  });
  test("an empty name is refused", () => {
    expect(() => pullReference("", "latest")).toThrow("invalid reference format");
  });
});

describe("config.json", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync("/tmp/bunker-unit-config-");
    process.env.DOCKER_CONFIG = dir;
  });
  afterEach(() => {
    delete process.env.DOCKER_CONFIG;
    rmSync(dir, { recursive: true, force: true });
  });
  test("stored as docker stores it, 0600, other keys kept; Docker Hub under its v1 URL", () => {
    writeFileSync(join(dir, "config.json"), JSON.stringify({ psFormat: "table {{.ID}}", auths: { "other:1": { auth: "eDp5" } } }));
    storeCredentials("docker.io", { username: "me", password: "pw" });
    storeCredentials("127.0.0.1:5000", { username: "a", password: "b:c" });
    const stored = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    expect(stored.psFormat).toBe("table {{.ID}}");
    expect(Object.keys(stored.auths).sort()).toEqual(["127.0.0.1:5000", "https://index.docker.io/v1/", "other:1"]);
    expect(statSync(join(dir, "config.json")).mode & 0o777).toBe(0o600);
    expect(loadCredentials("https://index.docker.io/v1/")).toEqual({ username: "me", password: "pw" });
    expect(loadCredentials("http://127.0.0.1:5000")).toEqual({ username: "a", password: "b:c" });
    const header = JSON.parse(Buffer.from(registryAuthHeader("127.0.0.1:5000"), "base64url").toString());
    expect(header).toEqual({ username: "a", password: "b:c", serveraddress: "127.0.0.1:5000" });
    expect(removeCredentials("127.0.0.1:5000")).toBe(true);
    expect(removeCredentials("127.0.0.1:5000")).toBe(false);
    expect(registryAuthHeader("127.0.0.1:5000")).toBe("e30=");
  });
});

describe("progress display", () => {
  const stream = (messages: object[]) => new Response(messages.map((m) => `${JSON.stringify(m)}\r\n`).join(""));
  const messages = [
    { status: "Pulling from bb", id: "1", progressDetail: {} },
    { status: "Pulling fs layer", id: "aaa", progressDetail: {} },
    { status: "Downloading", id: "aaa", progressDetail: { current: 5, total: 10 } },
    { status: "Pull complete", id: "aaa", progressDetail: {} },
    { status: "Digest: sha256:x" },
  ];
  test("off a terminal: plain lines, no bars", async () => {
    let out = "";
    await displayProgress(stream(messages), { write: (text: string) => (out += text) }, false);
    expect(out).toBe("1: Pulling from bb\naaa: Pulling fs layer\naaa: Pull complete\nDigest: sha256:x\n");
  });
  test("on a terminal: a line per id, redrawn in place", async () => {
    let out = "";
    await displayProgress(stream(messages), { write: (text: string) => (out += text) }, true);
    expect(out).toContain("\x1b[1A\x1b[2K\raaa: Downloading [=========================>                        ]  5B/10B\r\x1b[1B");
  });
  test("an error message in the stream is the command's failure", async () => {
    await expect(displayProgress(stream([{ errorDetail: { message: "boom" }, error: "boom" }]), { write: () => true }, false)).rejects.toThrow("boom");
  });
});
