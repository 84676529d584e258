/**
 * Ship against a real basic-auth registry (Debian's docker-registry) with Docker itself on the
 * other side: Docker pushes, bunker logs in and pulls; bunker pushes, Docker pulls. The docker
 * CLI and docker-py drive bunker's pull, push, login and search and must print what they print
 * against Docker.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { Dockerd } from "../../bench/dockerd.ts";
import { makeBusyboxTarball, run, TestDaemon, type Result } from "./harness.ts";
import { TestRegistry } from "./registry-server.ts";
import { TmuxSession } from "./tmux.ts";

const PYTHON = "/usr/bin/python3";
const USER = "alice";
const PASSWORD = "wonderland";

let bunker: TestDaemon;
let registry: TestRegistry;
const dockerd = new Dockerd();
/** Separate config.json homes, so neither CLI sees the other's login unless a test says so. */
const configs = mkdtempSync("/tmp/bunker-test-docker-config-");
const bunkerConfig = join(configs, "bunker");
const dockerConfig = join(configs, "docker");
let image: string;
let dockerImageId: string;

function docker(host: string, config: string, ...args: string[]): Promise<Result> {
  return run(["docker", ...args], { DOCKER_HOST: host, DOCKER_CONFIG: config });
}
function bunkerCli(...args: string[]): Promise<Result> {
  return run([process.env.BUNKER_BIN ?? join(import.meta.dir, "../../dist/bunker"), "-H", bunker.host, ...args], { DOCKER_CONFIG: bunkerConfig });
}
async function ok(result: Promise<Result>): Promise<string> {
  const r = await result;
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

beforeAll(async () => {
  registry = await TestRegistry.start({ auth: "htpasswd", users: { [USER]: PASSWORD } });
  bunker = await TestDaemon.withBase("ship-docker");
  await dockerd.start();
  image = `${registry.host}/busybox:1`;
  await ok(docker(dockerd.host, dockerConfig, "import", makeBusyboxTarball(join(dockerd.dir, "busybox.tar")), image));
  await ok(docker(dockerd.host, dockerConfig, "login", "-u", USER, "-p", PASSWORD, registry.host));
  await ok(docker(dockerd.host, dockerConfig, "push", image));
  dockerImageId = (await ok(docker(dockerd.host, dockerConfig, "image", "inspect", "--format", "{{.Id}}", image))).trim();
}, 120_000);

afterAll(async () => {
  try {
    await bunker?.cleanup();
  } finally {
    await dockerd.stop();
    await registry?.stop();
    rmSync(configs, { recursive: true, force: true });
  }
});

describe("pull from a basic-auth registry", () => {
  test("without a login the pull fails with an authentication error, and nothing is added", async () => {
    const before = await ok(bunkerCli("images", "-q"));
    const r = await bunkerCli("pull", image);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("authentication required");
    expect(r.stderr).toContain("no basic auth credentials");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(await ok(bunkerCli("images", "-q"))).toBe(before);
  });

  test("a wrong password is refused by login and nothing is stored", async () => {
    const r = await bunkerCli("login", "-u", USER, "-p", "nope", registry.host);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("401 Unauthorized");
    expect(() => statSync(join(bunkerConfig, "config.json"))).toThrow();
  });

  test("bunker login stores the credentials where docker keeps them (0600), then pull fetches the image Docker pushed", async () => {
    const login = await run([process.env.BUNKER_BIN ?? join(import.meta.dir, "../../dist/bunker"), "-H", bunker.host, "login", "-u", USER, "--password-stdin", registry.host], { DOCKER_CONFIG: bunkerConfig }, `${PASSWORD}\n`);
    expect(login.code).toBe(0);
    expect(login.stdout).toBe("Login Succeeded\n");
    expect(login.stderr).toContain(`Your credentials are stored unencrypted in '${join(bunkerConfig, "config.json")}'`);
    const stored = JSON.parse(readFileSync(join(bunkerConfig, "config.json"), "utf8"));
    expect(Buffer.from(stored.auths[registry.host].auth, "base64").toString()).toBe(`${USER}:${PASSWORD}`);
    expect(statSync(join(bunkerConfig, "config.json")).mode & 0o777).toBe(0o600);

    const pulled = await ok(bunkerCli("pull", image));
    expect(pulled).toContain("1: Pulling from busybox\n");
    expect(pulled).toContain("Pull complete\n");
    expect(pulled).toMatch(/Digest: sha256:[0-9a-f]{64}\n/);
    expect(pulled).toContain(`Status: Downloaded newer image for ${image}\n`);
    expect(pulled.endsWith(`${image}\n`)).toBe(true);
    expect((await ok(bunkerCli("run", "--rm", image, "echo", "pulled and running"))).trim()).toBe("pulled and running");
    const [inspected] = JSON.parse(await ok(bunkerCli("image", "inspect", image)));
    expect(inspected.Id).toBe(dockerImageId);
    const [theirs] = JSON.parse(await ok(docker(dockerd.host, dockerConfig, "image", "inspect", image)));
    expect(inspected.RepoDigests).toEqual(theirs.RepoDigests);
    expect(inspected.RepoDigests[0]).toMatch(new RegExp(`^${registry.host}/busybox@sha256:[0-9a-f]{64}$`));
  }, 60_000);

  test("a second pull says the image is up to date", async () => {
    const again = await ok(bunkerCli("pull", image));
    expect(again).toContain(`Status: Image is up to date for ${image}\n`);
    expect(again).not.toContain("Pull complete");
  });
});
