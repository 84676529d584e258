/**
 * What a pull must take and refuse, against a real registry (Debian's docker-registry): OCI
 * images written by skopeo (gzip and zstd layers), manifest lists made by `docker manifest`,
 * pulls by digest, layers fetched in parallel and once, a corrupted blob, and a daemon
 * killed in the middle of a pull.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ok, run, TestDaemon } from "./harness.ts";
import { RecordingProxy, TestRegistry } from "./registry-server.ts";

let bunker: TestDaemon;
let registry: TestRegistry;
let proxy: RecordingProxy;
const config = mkdtempSync("/tmp/bunker-test-docker-config-");
/** A six-layer image (base + five commits of 1 MiB of random bytes each), pushed to the registry. */
let layered: string;

const bunkerCli = (...args: string[]) => bunker.bunker(...args);
const layerDirs = () => readdirSync(join(bunker.root, "layers")).filter((name) => /^[0-9a-f]{64}$/.test(name)).sort();

beforeAll(async () => {
  process.env.DOCKER_CONFIG = config;
  registry = await TestRegistry.start();
  proxy = new RecordingProxy(registry.url);
  bunker = await TestDaemon.withBase("ship-formats");
  layered = `${proxy.host}/layered:1`;
  let parent = "base";
  for (let i = 1; i <= 5; i++) {
    await ok(bunkerCli("run", "--name", `layer${i}`, parent, "sh", "-c", `head -c 1048576 /dev/urandom > /random${i}`));
    parent = `step:${i}`;
    await ok(bunkerCli("commit", `layer${i}`, parent));
    await ok(bunkerCli("rm", `layer${i}`));
  }
  await ok(bunkerCli("tag", parent, layered));
  await ok(bunkerCli("push", layered));
}, 120_000);

afterAll(async () => {
  delete process.env.DOCKER_CONFIG;
  try {
    await bunker?.cleanup();
  } finally {
    proxy?.stop();
    await registry?.stop();
    rmSync(config, { recursive: true, force: true });
  }
});

/**
 * skopeo as an unprivileged user with a cache of its own: as root it keeps a blob cache in
 * /var/lib/containers for good and, knowing the gzip blobs are in the registry, reuses them
 * instead of writing the zstd ones asked for.
 */
async function skopeo(...args: string[]): Promise<string> {
  const home = mkdtempSync("/tmp/bunker-test-skopeo-");
  chmodSync(home, 0o777);
  try {
    return await ok(run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", `HOME=${home}`, `DOCKER_CONFIG=${home}`, `XDG_DATA_HOME=${home}`, `XDG_RUNTIME_DIR=${home}`, "skopeo", ...args]));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Removes every image but `base`, so a pull starts from nothing but the base layer. */
async function forgetAllButBase(): Promise<void> {
  const images = (await (await bunker.api("/images/json?all=1")).json()) as Array<{ Id: string; RepoTags: string[] }>;
  const others = images.filter((image) => !image.RepoTags.includes("base:latest")).map((image) => image.Id);
  if (others.length) await ok(bunkerCli("rmi", "-f", ...others));
}

describe("layers", () => {
  test("download in parallel, 3 at once by default, each fetched once even when two pulls want it", async () => {
    await forgetAllButBase();
    proxy.requests.length = 0;
    proxy.throttle = 2 << 20;
    const [a, b] = await Promise.all([bunkerCli("pull", layered), bunkerCli("pull", layered)]);
    proxy.throttle = 0;
    expect([a.code, b.code]).toEqual([0, 0]);
    const manifest = JSON.parse(await ok(run(["curl", "-sf", "-H", "Accept: application/vnd.docker.distribution.manifest.v2+json", `http://${proxy.host}/v2/layered/manifests/1`])));
    // Five layers to fetch, three at a time.
    expect(proxy.maxConcurrentBlobGets(manifest.layers.map((layer: { digest: string }) => layer.digest))).toBe(3);
    // The base layer is here already (from `base`), so it is not fetched at all.
    expect(proxy.blobGets(manifest.layers[0].digest)).toBe(0);
    for (const layer of manifest.layers.slice(1)) expect(proxy.blobGets(layer.digest)).toBe(1);
    expect((await ok(bunkerCli("run", "--rm", layered, "sh", "-c", "wc -c < /random3"))).trim()).toBe("1048576");
  }, 60_000);

  test("a client that leaves does not stop a pull another client waits on", async () => {
    await forgetAllButBase();
    proxy.throttle = 1 << 20;
    const leaving = await bunker.api(`/images/create?fromImage=${encodeURIComponent(`${proxy.host}/layered`)}&tag=1`, { method: "POST" });
    const reader = leaving.body!.getReader();
    await reader.read();
    const staying = bunkerCli("pull", layered);
    await reader.cancel();
    const r = await staying;
    proxy.throttle = 0;
    expect(r.code).toBe(0);
    // Whichever pull tags the image first, the other finds it up to date.
    expect(r.stdout).toMatch(new RegExp(`Status: (Downloaded newer image|Image is up to date) for ${layered}`));
    expect(r.stdout).toContain(": Pull complete\n");
    expect((await ok(bunkerCli("run", "--rm", layered, "sh", "-c", "wc -c < /random5"))).trim()).toBe("1048576");
  }, 60_000);
});

describe("formats", () => {
  test("an OCI image written by skopeo, with gzip and with zstd layers, pulls and runs; so does a pull by digest", async () => {
    const archive = join(bunker.dir, "layered.tar");
    await ok(bunkerCli("save", "-o", archive, layered));
    chmodSync(bunker.dir, 0o755);
    chmodSync(archive, 0o644);
    for (const [tag, compression] of [["gzip", "gzip"], ["zstd", "zstd"]]) {
      const name = `${registry.host}/oci:${tag}`;
      await skopeo("copy", "--quiet", "--format", "oci", "--dest-compress-format", compression, "--dest-tls-verify=false", `docker-archive:${archive}`, `docker://${name}`);
      const manifest = JSON.parse(await ok(run(["curl", "-sf", "-H", "Accept: application/vnd.oci.image.manifest.v1+json", `${registry.url}/v2/oci/manifests/${tag}`])));
      expect(manifest.mediaType).toBe("application/vnd.oci.image.manifest.v1+json");
      expect(manifest.layers.at(-1).mediaType).toBe(`application/vnd.oci.image.layer.v1.tar+${compression}`);
      await forgetAllButBase();
      expect(await ok(bunkerCli("pull", name))).toContain(`Status: Downloaded newer image for ${name}`);
      expect((await ok(bunkerCli("run", "--rm", name, "sh", "-c", "wc -c < /random2"))).trim()).toBe("1048576");
    }
    const digest = JSON.parse(await ok(bunkerCli("image", "inspect", `${registry.host}/oci:zstd`)))[0].RepoDigests[0].split("@")[1];
    await forgetAllButBase();
    const byDigest = `${registry.host}/oci@${digest}`;
    const pulled = await ok(bunkerCli("pull", byDigest));
    expect(pulled).toContain(`Digest: ${digest}\n`);
    expect(pulled.trim().endsWith(byDigest)).toBe(true);
    expect((await ok(bunkerCli("run", "--rm", byDigest, "sh", "-c", "wc -c < /random1"))).trim()).toBe("1048576");
    const [inspected] = JSON.parse(await ok(bunkerCli("image", "inspect", byDigest)));
    expect(inspected.RepoTags).toEqual([]);
    expect(inspected.RepoDigests).toEqual([byDigest]);
  }, 90_000);

  test("a manifest list made by `docker manifest` pulls its linux/amd64 entry", async () => {
    const amd64 = `${registry.host}/multi:amd64`;
    const other = `${registry.host}/multi:other`;
    await ok(bunkerCli("pull", layered));
    await ok(bunkerCli("tag", layered, amd64));
    await ok(bunkerCli("tag", "base", other));
    await ok(bunkerCli("push", amd64));
    await ok(bunkerCli("push", other));
    const list = `${registry.host}/multi:list`;
    await ok(run(["docker", "manifest", "create", "--insecure", list, amd64, other]));
    await ok(run(["docker", "manifest", "annotate", "--arch", "arm64", list, other]));
    await ok(run(["docker", "manifest", "push", "--insecure", list]));
    const amd64Id = (await ok(bunkerCli("image", "inspect", "--format", "{{.Id}}", amd64))).trim();
    await forgetAllButBase();
    const pulled = await ok(bunkerCli("pull", list));
    const listDigest = /Digest: (sha256:[0-9a-f]{64})/.exec(pulled)?.[1];
    expect(listDigest).toBe(`sha256:${new Bun.CryptoHasher("sha256").update(await ok(run(["curl", "-sf", "-H", "Accept: application/vnd.docker.distribution.manifest.list.v2+json", `${registry.url}/v2/multi/manifests/list`]))).digest("hex")}`);
    expect((await ok(bunkerCli("image", "inspect", "--format", "{{.Id}}", list))).trim()).toBe(amd64Id);
    expect(await ok(bunkerCli("run", "--rm", list, "ls", "/"))).toContain("random3");
  }, 90_000);
});

test("a Docker Hub name is pulled from the daemon's --registry-mirror", async () => {
  const mirror = await TestRegistry.start();
  const mirrored = new TestDaemon("ship-mirror", ["--bridge", "none", "--registry-mirror", mirror.url]);
  try {
    await ok(bunkerCli("tag", "base", `${mirror.host}/library/busybox:latest`));
    await ok(bunkerCli("push", `${mirror.host}/library/busybox:latest`));
    await mirrored.start();
    const pulled = await ok(mirrored.bunker("pull", "busybox"));
    expect(pulled).toContain("latest: Pulling from library/busybox\n");
    expect(pulled.trim().endsWith("docker.io/library/busybox:latest")).toBe(true);
    expect((await ok(mirrored.bunker("run", "--rm", "busybox", "echo", "from the mirror"))).trim()).toBe("from the mirror");
  } finally {
    await mirrored.cleanup();
    await mirror.stop();
  }
}, 60_000);

describe("failures", () => {
  test("a corrupted blob: the pull fails naming its digest, and nothing is registered", async () => {
    const name = `${registry.host}/corrupt:1`;
    await ok(bunkerCli("pull", layered));
    await ok(bunkerCli("tag", layered, name));
    await ok(bunkerCli("push", name));
    const manifest = JSON.parse(await ok(run(["curl", "-sf", "-H", "Accept: application/vnd.docker.distribution.manifest.v2+json", `${registry.url}/v2/corrupt/manifests/1`])));
    const top = manifest.layers.at(-1).digest as string;
    const blob = registry.blobPath(top);
    const saved = readFileSync(blob);
    const bad = Buffer.from(saved);
    bad[bad.length >> 1] ^= 0xff;
    writeFileSync(blob, bad);
    try {
      await forgetAllButBase();
      const imagesBefore = await ok(bunkerCli("images", "-a", "-q"));
      const layersBefore = layerDirs();
      const r = await bunkerCli("pull", name);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`filesystem layer verification failed for digest ${top}`);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(await ok(bunkerCli("images", "-a", "-q"))).toBe(imagesBefore);
      expect(layerDirs()).toEqual(layersBefore);
      expect(readdirSync(join(bunker.root, "tmp"))).toEqual([]);
    } finally {
      writeFileSync(blob, saved);
    }
    expect(await ok(bunkerCli("pull", name))).toContain("Status: Downloaded newer image");
  }, 60_000);

  test("the daemon SIGKILLed in the middle of a pull: after a restart nothing partial is listed, and the pull completes", async () => {
    await forgetAllButBase();
    const imagesBefore = await ok(bunkerCli("images", "-a", "-q"));
    const layersBefore = layerDirs();
    proxy.throttle = 256 << 10;
    const response = await bunker.api(`/images/create?fromImage=${encodeURIComponent(`${proxy.host}/layered`)}&tag=1`, { method: "POST" });
    const reader = response.body!.getReader();
    let seen = "";
    while (!seen.includes('"Downloading"')) seen += new TextDecoder().decode((await reader.read()).value);
    await bunker.kill9();
    proxy.throttle = 0;
    await bunker.start();
    expect(await ok(bunkerCli("images", "-a", "-q"))).toBe(imagesBefore);
    expect(layerDirs()).toEqual(layersBefore);
    expect(readdirSync(join(bunker.root, "tmp"))).toEqual([]);
    expect(await ok(bunkerCli("pull", layered))).toContain(`Status: Downloaded newer image for ${layered}`);
    expect((await ok(bunkerCli("run", "--rm", layered, "sh", "-c", "wc -c < /random3"))).trim()).toBe("1048576");
  }, 90_000);

  // (An unknown host is not tried here: its lookup would leave the machine.)
  test("an unreachable registry: one clear line, exit 1", async () => {
    const refused = await bunkerCli("pull", "127.0.0.1:1/nothing:1");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Error response from daemon: Get "http:\/\/127\.0\.0\.1:1\/v2\/": dial tcp 127\.0\.0\.1:1: connect: connection refused\n$/);
  });
});
