import { describe, expect, test } from "bun:test";
import { parseChallenges } from "../../src/registry/challenge.ts";
import { InsecureRegistries } from "../../src/registry/insecure.ts";
import { selectPlatform, parseImageManifest } from "../../src/registry/manifest.ts";
import { verified } from "../../src/registry/verify.ts";
import { registryDomain } from "../../src/registry/login.ts";
import { searchTarget } from "../../src/registry/search.ts";
import { networkError } from "../../src/registry/transport.ts";
import { DigestMismatchError, UpstreamError } from "../../src/errors.ts";
import { qualifiedName, remoteRepository } from "../../src/image/reference.ts";

const D = (c: string) => `sha256:${c.repeat(64)}`;

describe("WWW-Authenticate challenges", () => {
  test("Bearer with quoted params, commas inside quotes", () => {
    expect(parseChallenges('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"')).toEqual([
      { scheme: "bearer", params: { realm: "https://auth.example/token", service: "registry.example", scope: "repository:a/b:pull,push" } },
    ]);
  });
  test("Basic, unquoted params, and two challenges in one header", () => {
    expect(parseChallenges('Basic realm=x, Bearer realm="r"')).toEqual([
      { scheme: "basic", params: { realm: "x" } },
      { scheme: "bearer", params: { realm: "r" } },
    ]);
  });
  test("nothing or garbage gives no challenge", () => {
    expect(parseChallenges(null)).toEqual([]);
    expect(parseChallenges("")).toEqual([]);
  });
});

describe("insecure registries", () => {
  const insecure = new InsecureRegistries(["10.1.0.0/16", "registry.local:5000", "plain.example"]);
  test.each([
    ["127.0.0.1:5000", true],
    ["127.3.4.5", true],
    ["[::1]:5000", true],
    ["localhost:5000", true],
    ["10.1.200.3:443", true],
    ["10.2.0.1", false],
    ["registry.local:5000", true],
    ["registry.local:5001", false],
    ["plain.example:8080", true],
    ["ghcr.io", false],
    // A name is never resolved to decide: only "localhost" and literal addresses are loopback.
    ["localhost.example.com", false],
  ])("%s -> %p", (domain, expected) => {
    expect(insecure.has(domain)).toBe(expected);
  });
});

describe("manifests", () => {
  const index = (manifests: object[]) => Buffer.from(JSON.stringify({ schemaVersion: 2, manifests }));
  const amd64 = { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: D("a"), size: 10, platform: { os: "linux", architecture: "amd64" } };
  const attestation = {
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    digest: D("b"),
    size: 10,
    platform: { os: "unknown", architecture: "unknown" },
    annotations: { "vnd.docker.reference.type": "attestation-manifest" },
  };
  const arm = { ...amd64, digest: D("c"), platform: { os: "linux", architecture: "arm64" } };
  test("an index picks linux/amd64 and skips attestations", () => {
    expect(selectPlatform(index([attestation, arm, amd64])).digest).toBe(D("a"));
  });
  test("an index without linux/amd64 says what it offers", () => {
    expect(() => selectPlatform(index([arm, attestation]))).toThrow("no matching manifest for linux/amd64 in the manifest list entries (offered: linux/arm64, unknown/unknown)");
  });
  test("a schema 1 manifest, a bad descriptor and an unknown layer type are refused", () => {
    const manifest = (layers: object[]) => Buffer.from(JSON.stringify({ schemaVersion: 2, config: { mediaType: "x", digest: D("1"), size: 2 }, layers }));
    expect(() => parseImageManifest(manifest([]), "application/vnd.docker.distribution.manifest.v1+prettyjws")).toThrow("schema 1");
    expect(() => parseImageManifest(manifest([{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: "sha256:short", size: 1 }]), "application/vnd.oci.image.manifest.v1+json")).toThrow(UpstreamError);
    expect(() => parseImageManifest(manifest([{ mediaType: "application/x-nope", digest: D("2"), size: 1 }]), "application/vnd.oci.image.manifest.v1+json")).toThrow("unsupported layer media type");
    expect(parseImageManifest(manifest([{ mediaType: "application/vnd.oci.image.layer.v1.tar+zstd", digest: D("2"), size: 1 }]), "application/vnd.oci.image.manifest.v1+json").layers).toHaveLength(1);
  });
});

describe("verified blobs", () => {
  const bytes = new TextEncoder().encode("hello registry");
  const digest = `sha256:${new Bun.CryptoHasher("sha256").update(bytes).digest("hex")}`;
  async function* chunks(data: Uint8Array) {
    yield data.subarray(0, 5);
    yield data.subarray(5);
  }
  const read = async (source: AsyncIterable<Uint8Array>) => {
    const out: Uint8Array[] = [];
    for await (const chunk of source) out.push(chunk);
    return Buffer.concat(out).toString();
  };
  test("the right bytes pass through", async () => {
    expect(await read(verified(chunks(bytes), digest, bytes.length))).toBe("hello registry");
  });
  test("a wrong digest fails before the last chunk is handed on", async () => {
    const seen: string[] = [];
    const source = verified(chunks(new TextEncoder().encode("hello REGISTRY")), digest, bytes.length);
    await expect((async () => {
      for await (const chunk of source) seen.push(Buffer.from(chunk).toString());
    })()).rejects.toBeInstanceOf(DigestMismatchError);
    expect(seen).toEqual(["hello"]);
  });
  test("more bytes than the descriptor says fail at once", async () => {
    await expect(read(verified(chunks(bytes), digest, 3))).rejects.toThrow("more than the 3 bytes");
  });
});

describe("names", () => {
  test.each([
    ["busybox", "docker.io", "library/busybox"],
    ["foo/bar", "docker.io", "foo/bar"],
    ["localhost:5000/bb", "localhost:5000", "bb"],
    ["ghcr.io/a/b/c", "ghcr.io", "a/b/c"],
    ["localhost/x", "localhost", "x"],
  ])("%s lives at %s as %s", (repo, domain, path) => {
    expect(remoteRepository(repo)).toEqual({ domain, path });
  });
  test("the qualified names the CLI prints after a pull", () => {
    expect(qualifiedName({ repo: "busybox", tag: "latest" })).toBe("docker.io/library/busybox:latest");
    expect(qualifiedName({ repo: "127.0.0.1:5000/bb", digest: D("d") })).toBe(`127.0.0.1:5000/bb@${D("d")}`);
  });
  test("login server addresses", () => {
    expect(registryDomain("https://index.docker.io/v1/")).toBe("docker.io");
    expect(registryDomain("")).toBe("docker.io");
    expect(registryDomain("http://127.0.0.1:5000/")).toBe("127.0.0.1:5000");
  });
  test("search terms", () => {
    expect(searchTarget("busybox")).toEqual({ domain: "docker.io", query: "busybox" });
    expect(searchTarget("localhost:5000/bu")).toEqual({ domain: "localhost:5000", query: "bu" });
    expect(searchTarget("someone/thing")).toEqual({ domain: "docker.io", query: "someone/thing" });
  });
});

describe("network failures in Go's words, with the way out for TLS", () => {
  const endpoint = { origin: "https://r.example:5000", domain: "r.example:5000", mirror: false };
  const failure = (code: string) => Object.assign(new TypeError("failed"), { code });
  test.each([
    ["ENOTFOUND", 'Get "https://r.example:5000/v2/": dial tcp: lookup r.example: no such host'],
    ["ECONNREFUSED", 'Get "https://r.example:5000/v2/": dial tcp r.example:5000: connect: connection refused'],
    ["EPROTO", 'Get "https://r.example:5000/v2/": http: server gave HTTP response to HTTPS client'],
  ])("%s", (code, message) => {
    expect(networkError("GET", "https://r.example:5000/v2/", failure(code), endpoint, "/etc/bunker/certs.d").message).toBe(message);
  });
  test("an unknown CA names the certs.d file and the insecure flag", () => {
    const message = networkError("GET", "https://r.example:5000/v2/", failure("UNABLE_TO_VERIFY_LEAF_SIGNATURE"), endpoint, "/etc/bunker/certs.d").message;
    expect(message).toContain("x509: certificate signed by unknown authority");
    expect(message).toContain("/etc/bunker/certs.d/r.example:5000/ca.crt");
    expect(message).toContain("--insecure-registry r.example:5000");
  });
});
