/**
 * save and load in the docker-archive format: bunker to bunker with the same image IDs, to
 * and from a real dockerd (Debian's docker.io) in both directions, and through the docker
 * CLI. Also `insert`, the 2013 way to add a downloaded file as a layer.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Dockerd } from "../../bench/dockerd.ts";
import { run, TestDaemon } from "./harness.ts";

let source: TestDaemon;
let target: TestDaemon;
let work: string;
beforeAll(async () => {
  source = await TestDaemon.withBase("save");
  target = new TestDaemon("load");
  await target.start();
  work = join(source.dir, "work");
  mkdirSync(work);
});
afterAll(async () => {
  await source?.cleanup();
  await target?.cleanup();
});

async function imageId(daemon: TestDaemon, ref: string): Promise<string> {
  return (await daemon.bunker("inspect", "-f", "{{.Id}}", ref)).stdout.trim();
}

function sh(script: string): string {
  const r = Bun.spawnSync(["sh", "-c", script]);
  if (r.exitCode !== 0) throw new Error(`${script}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

describe("bunker to bunker", () => {
  test("save writes a docker archive whose layer tars hash to the diff IDs", async () => {
    const archive = join(work, "base.tar");
    expect(await source.bunker("save", "-o", archive, "base")).toMatchObject({ code: 0, stderr: "" });
    const dir = join(work, "base-archive");
    mkdirSync(dir);
    sh(`tar -C ${dir} -xf ${archive}`);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    const id = await imageId(source, "base");
    expect(manifest).toEqual([{ Config: `${id.slice(7)}.json`, RepoTags: ["base:latest"], Layers: [expect.stringMatching(/^[0-9a-f]{64}\/layer\.tar$/)] }]);
    const config = readFileSync(join(dir, manifest[0].Config));
    expect(`sha256:${createHash("sha256").update(config).digest("hex")}`).toBe(id);
    const layer = readFileSync(join(dir, manifest[0].Layers[0]));
    expect(`sha256:${createHash("sha256").update(layer).digest("hex")}`).toBe(JSON.parse(config.toString()).rootfs.diff_ids[0]);
    const [layerDir] = manifest[0].Layers[0].split("/");
    expect(readFileSync(join(dir, layerDir, "VERSION"), "utf8")).toBe("1.0");
    const repositories = JSON.parse(readFileSync(join(dir, "repositories"), "utf8"));
    expect(repositories).toEqual({ base: { latest: layerDir } });
  });

  test("load on another daemon gives the same image ID, and it runs", async () => {
    const r = await target.bunker("load", "-i", join(work, "base.tar"));
    expect(r).toMatchObject({ code: 0, stdout: "Loaded image: base:latest\n" });
    expect(await imageId(target, "base")).toBe(await imageId(source, "base"));
    expect(await target.bunker("run", "--rm", "base", "echo", "loaded")).toMatchObject({ code: 0, stdout: "loaded\n" });
  });

  test("several images in one archive; an image saved by ID is loaded untagged", async () => {
    expect((await source.bunker("tag", "base", "other:2")).code).toBe(0);
    const id = await imageId(source, "base");
    const archive = join(work, "multi.tar");
    expect((await run(["sh", "-c", `"$0" -H ${source.host} save base other:2 > ${archive}`, process.env.BUNKER_BIN ?? join(import.meta.dir, "../../dist/bunker")])).code).toBe(0);
    const r = await target.bunker("load", "-i", archive);
    expect(r.stdout).toBe("Loaded image: base:latest\nLoaded image: other:2\n");
    const byId = join(work, "by-id.tar");
    expect((await source.bunker("save", "-o", byId, id.slice(7, 19))).code).toBe(0);
    expect((await target.bunker("load", "-i", byId)).stdout).toBe(`Loaded image ID: ${id}\n`);
  });

  test("a missing image fails before anything is written; a bad archive is refused and leaves no layer", async () => {
    const r = await source.bunker("save", "-o", join(work, "none.tar"), "nosuchimage");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("Error response from daemon: No such image: nosuchimage:latest\n");
    const layersBefore = readdirSync(join(target.root, "layers")).length;
    const bad = await target.api("/images/load", { method: "POST", body: "not a tar at all".repeat(64) });
    expect(bad.status).toBe(400);
    // A real layer, then the end of the archive with no manifest: the layer must not stay.
    const layerOnly = join(work, "layer-only.tar");
    sh(`mkdir -p ${work}/lo/x && cp ${join(source.dir, "busybox.tar")} ${work}/lo/x/layer.tar && tar -C ${work}/lo -cf ${layerOnly} x`);
    const noManifest = await target.bunker("load", "-i", layerOnly);
    expect(noManifest.stderr).toContain("no manifest.json");
    expect(readdirSync(join(target.root, "layers")).length).toBe(layersBefore);
  });
});

describe("insert", () => {
  test("a file from a URL becomes a new layer on a new image", async () => {
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("served over http\n") });
    try {
      const url = `http://127.0.0.1:${server.port}/hello.txt`;
      const r = await source.bunker("insert", "base", url, "/opt/hello.txt");
      expect(r.code).toBe(0);
      const id = r.stdout.trim();
      expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(await source.bunker("run", "--rm", id, "cat", "/opt/hello.txt")).toMatchObject({ code: 0, stdout: "served over http\n" });
      const inspect = JSON.parse((await source.bunker("inspect", id)).stdout)[0];
      expect(inspect.Parent).toBe(await imageId(source, "base"));
      expect(inspect.RootFS.Layers).toHaveLength(2);
      const bad = await source.bunker("insert", "base", `http://127.0.0.1:${server.port}/x`, "/");
      expect(bad.code).toBe(1);
    } finally {
      server.stop(true);
    }
  });
});

describe("with a real dockerd", () => {
  let dockerd: Dockerd;
  beforeAll(async () => {
    dockerd = new Dockerd();
    await dockerd.start();
  }, 60_000);
  afterAll(async () => {
    await dockerd?.stop();
  });

  const docker = (...args: string[]) => run(["docker", ...args], { DOCKER_HOST: dockerd.host });

  test("bunker save, then docker load: it runs on Docker with the same ID", async () => {
    const loaded = await docker("load", "-i", join(work, "base.tar"));
    expect(loaded).toMatchObject({ code: 0, stdout: "Loaded image: base:latest\n" });
    expect((await docker("inspect", "-f", "{{.Id}}", "base")).stdout.trim()).toBe(await imageId(source, "base"));
    expect(await docker("run", "--rm", "--network", "none", "base", "echo", "on docker")).toMatchObject({ code: 0, stdout: "on docker\n" });
  });

  test("docker save of a committed image with whiteouts, then bunker load: it runs on bunker", async () => {
    const made = await docker("run", "--name", "changer", "--network", "none", "base", "sh", "-c", "rm /bin/true; mkdir -p /d/sub; echo changed > /d/sub/f");
    expect(made.code).toBe(0);
    expect((await docker("commit", "changer", "fromdocker:1")).code).toBe(0);
    const archive = join(work, "fromdocker.tar");
    expect((await docker("save", "-o", archive, "fromdocker:1")).code).toBe(0);
    expect(await target.bunker("load", "-i", archive)).toMatchObject({ code: 0, stdout: "Loaded image: fromdocker:1\n" });
    expect(await imageId(target, "fromdocker:1")).toBe((await docker("inspect", "-f", "{{.Id}}", "fromdocker:1")).stdout.trim());
    const r = await target.bunker("run", "--rm", "fromdocker:1", "sh", "-c", "cat /d/sub/f; ls /bin/true || echo gone");
    expect(r.stdout).toBe("changed\ngone\n");

    // And back: bunker reproduces Docker's layer tars byte for byte, so Docker takes them again.
    const back = join(work, "back-to-docker.tar");
    expect((await target.bunker("save", "-o", back, "fromdocker:1")).code).toBe(0);
    expect((await docker("rmi", "fromdocker:1")).code).toBe(0);
    expect((await docker("load", "-i", back)).code).toBe(0);
  });
});

describe("docker save and load through the docker CLI against bunker", () => {
  test("docker save, then docker load into another bunker", async () => {
    const archive = join(work, "docker-cli.tar");
    expect(await source.docker("save", "-o", archive, "base")).toMatchObject({ code: 0 });
    const r = await target.docker("load", "-i", archive);
    expect(r).toMatchObject({ code: 0, stdout: "Loaded image: base:latest\n" });
    expect(await target.docker("run", "--rm", "base", "echo", "via docker cli")).toMatchObject({ code: 0, stdout: "via docker cli\n" });
  });
});
