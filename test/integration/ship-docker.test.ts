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
import { ok, makeBusyboxTarball, run, TestDaemon, type Result } from "./harness.ts";
import { TestRegistry } from "./registry-server.ts";
import { TmuxSession } from "./tmux.ts";

const PYTHON = "/usr/bin/python3";
const USER = "alice";
const PASSWORD = "wonderland";

let bunker: TestDaemon;
let registry: TestRegistry;
let tokenRegistry: TestRegistry;
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

beforeAll(async () => {
  registry = await TestRegistry.start({ auth: "htpasswd", users: { [USER]: PASSWORD } });
  tokenRegistry = await TestRegistry.start({ auth: "token", users: { [USER]: PASSWORD } });
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
    await tokenRegistry?.stop();
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

  test("a build FROM the private image pulls it with the stored login", async () => {
    const id = (await ok(bunkerCli("image", "inspect", "--format", "{{.Id}}", image))).trim();
    await ok(bunkerCli("rmi", "-f", id));
    const built = await run([process.env.BUNKER_BIN ?? join(import.meta.dir, "../../dist/bunker"), "-H", bunker.host, "build", "-t", "built-on-private", "-"], { DOCKER_CONFIG: bunkerConfig }, `FROM ${image}\nRUN echo built > /built\n`);
    expect(built.code).toBe(0);
    expect(built.stdout).toContain(`Status: Downloaded newer image for ${image}`);
    expect(await ok(bunkerCli("run", "--rm", "built-on-private", "cat", "/built"))).toBe("built\n");
    await ok(bunkerCli("pull", image));
  }, 60_000);

  test("a second pull says the image is up to date", async () => {
    const again = await ok(bunkerCli("pull", image));
    expect(again).toContain(`Status: Image is up to date for ${image}\n`);
    expect(again).not.toContain("Pull complete");
  });
});

describe("push to a basic-auth registry", () => {
  test("a committed change pushed by bunker is pulled and run by Docker; pushed again, no blob is uploaded", async () => {
    const pushed = `${registry.host}/changed:1`;
    await ok(bunkerCli("run", "--name", "changer", image, "sh", "-c", "echo made by bunker > /change"));
    await ok(bunkerCli("commit", "changer", pushed));
    await ok(bunkerCli("rm", "changer"));
    const first = await ok(bunkerCli("push", pushed));
    expect(first).toContain(`The push refers to repository [${registry.host}/changed]\n`);
    expect(first).toMatch(/: Pushed\n/);
    expect(first).toMatch(/: Mounted from busybox\n/);
    expect(first).toMatch(/1: digest: sha256:[0-9a-f]{64} size: \d+\n/);

    await ok(docker(dockerd.host, dockerConfig, "pull", pushed));
    expect(await ok(docker(dockerd.host, dockerConfig, "run", "--rm", pushed, "cat", "/change"))).toBe("made by bunker\n");
    const [ours] = JSON.parse(await ok(bunkerCli("image", "inspect", pushed)));
    const [theirs] = JSON.parse(await ok(docker(dockerd.host, dockerConfig, "image", "inspect", pushed)));
    expect(theirs.Id).toBe(ours.Id);
    expect(theirs.RepoDigests).toEqual(ours.RepoDigests);

    const second = await ok(bunkerCli("push", pushed));
    expect(second).not.toContain("Pushed");
    expect(second.match(/: Layer already exists\n/g)).toHaveLength(2);
    expect(second.match(/digest: (sha256:\S+)/)?.[1]).toBe(first.match(/digest: (sha256:\S+)/)?.[1]);
  }, 60_000);

  test("push of a tag that is not there fails with docker's message", async () => {
    const r = await bunkerCli("push", `${registry.host}/nothing:1`);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error response from daemon: An image does not exist locally with the tag: ${registry.host}/nothing:1\n`);
  });
});

describe("one login for both CLIs, and run of a missing image", () => {
  test("a `docker login` serves bunker's pull and run; `bunker logout` forgets it for both", async () => {
    const shared = join(configs, "shared");
    await ok(docker(bunker.host, shared, "login", "-u", USER, "-p", PASSWORD, registry.host));
    const bunkerShared = (...args: string[]) => run([process.env.BUNKER_BIN ?? join(import.meta.dir, "../../dist/bunker"), "-H", bunker.host, ...args], { DOCKER_CONFIG: shared });
    const name = `${registry.host}/changed:1`;
    await ok(bunkerShared("rmi", "-f", name));
    const never = await bunkerShared("run", "--rm", "--pull=never", name, "true");
    expect(never.code).toBe(125);
    expect(never.stderr).toBe(`Error response from daemon: No such image: ${name}\n`);
    // Like docker: "Unable to find image" and the pull on stderr, the container's output on stdout.
    const ran = await bunkerShared("run", "--rm", name, "cat", "/change");
    expect(ran.code).toBe(0);
    expect(ran.stdout).toBe("made by bunker\n");
    expect(ran.stderr).toStartWith(`Unable to find image '${name}' locally\n1: Pulling from changed\n`);
    expect(ran.stderr).toContain(`Status: Downloaded newer image for ${name}\n`);
    expect(await ok(bunkerShared("logout", registry.host))).toBe(`Removing login credentials for ${registry.host}\n`);
    expect(await ok(bunkerShared("logout", registry.host))).toBe(`Not logged in to ${registry.host}\n`);
    const after = await docker(bunker.host, shared, "pull", `${registry.host}/busybox:1`);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain("no basic auth credentials");
  }, 60_000);

  test("push -a pushes every tag of the repository", async () => {
    await ok(bunkerCli("tag", image, `${registry.host}/every:a`));
    await ok(bunkerCli("tag", `${registry.host}/changed:1`, `${registry.host}/every:b`));
    const pushed = await ok(bunkerCli("push", "-a", `${registry.host}/every`));
    expect(pushed.match(/^(a|b): digest: sha256:[0-9a-f]{64} size: \d+$/gm)).toHaveLength(2);
    const tags = JSON.parse(await ok(run(["curl", "-sf", "-u", `${USER}:${PASSWORD}`, `${registry.url}/v2/every/tags/list`])));
    expect(tags.tags.sort()).toEqual(["a", "b"]);
  }, 60_000);
});

describe("the docker CLI against bunker prints what it prints against Docker", () => {
  // Each side a config.json of its own, both empty to begin with: the CLI words a first login differently.
  const bunkerSideConfig = join(configs, "docker-on-bunker");
  const dockerSideConfig = join(configs, "docker-on-docker");
  /** The same docker command against both engines. */
  async function both(...args: string[]): Promise<[Result, Result]> {
    return [await docker(bunker.host, bunkerSideConfig, ...args), await docker(dockerd.host, dockerSideConfig, ...args)];
  }
  const same = (text: string) => text.replaceAll(bunkerSideConfig, "CONFIG").replaceAll(dockerSideConfig, "CONFIG");

  test("login", async () => {
    const [ours, theirs] = await both("login", "-u", USER, "-p", PASSWORD, registry.host);
    expect([ours.code, same(ours.stdout), same(ours.stderr)]).toEqual([theirs.code, same(theirs.stdout), same(theirs.stderr)]);
    const [badOurs, badTheirs] = await both("login", "-u", USER, "-p", "wrong", registry.host);
    expect(badOurs.code).toBe(badTheirs.code);
    expect(badOurs.stderr).toContain("401 Unauthorized");
  });

  test("pull (plain lines off a terminal) and pull of an image that is not there", async () => {
    const name = `${registry.host}/changed:1`;
    // The image itself goes (every tag of it), so that both engines start the pull from the same state.
    for (const host of [bunker.host, dockerd.host]) {
      const id = (await ok(docker(host, dockerConfig, "image", "inspect", "--format", "{{.Id}}", name))).trim();
      await ok(docker(host, dockerConfig, "rmi", "-f", id));
    }
    const [ours, theirs] = await both("pull", name);
    // Layers finish in whatever order their downloads do: compare each layer's own lines. dockerd
    // hands its watchers only the latest state of a layer, so its "Verifying Checksum" comes and goes.
    const byLine = (text: string) => text.split("\n").filter((line) => !line.endsWith(": Verifying Checksum")).sort();
    expect(byLine(ours.stdout)).toEqual(byLine(theirs.stdout));
    const [missingOurs, missingTheirs] = await both("pull", `${registry.host}/changed:nope`);
    expect([missingOurs.code, missingOurs.stderr]).toEqual([missingTheirs.code, missingTheirs.stderr]);
  }, 60_000);

  test("push", async () => {
    await ok(docker(bunker.host, bunkerSideConfig, "tag", `${registry.host}/changed:1`, `${registry.host}/side-bunker:1`));
    await ok(docker(dockerd.host, dockerConfig, "tag", `${registry.host}/changed:1`, `${registry.host}/side-docker:1`));
    const ours = await docker(bunker.host, bunkerSideConfig, "push", `${registry.host}/side-bunker:1`);
    const theirs = await docker(dockerd.host, dockerSideConfig, "push", `${registry.host}/side-docker:1`);
    expect(ours.code).toBe(0);
    // Which repository a layer is mounted from depends on each engine's own history of it.
    const sorted = (text: string) => text.replace(/side-(bunker|docker)/g, "side").replace(/Mounted from \S+/g, "Mounted from REPO").split("\n").sort();
    expect(sorted(ours.stdout)).toEqual(sorted(theirs.stdout));
  }, 60_000);

  test("pull on a terminal draws the same screen", async () => {
    // An image neither engine holds: Docker pushes it, then forgets it.
    const name = `${registry.host}/terminal:1`;
    await ok(docker(dockerd.host, dockerConfig, "import", "--change", "CMD sh", makeBusyboxTarball(join(dockerd.dir, "terminal.tar")), name));
    await ok(docker(dockerd.host, dockerConfig, "push", name));
    await ok(docker(dockerd.host, dockerConfig, "rmi", name));
    const screens: string[] = [];
    for (const [host, config] of [[bunker.host, bunkerSideConfig], [dockerd.host, dockerSideConfig]]) {
      const tmux = new TmuxSession();
      try {
        await tmux.start(120, 30, { DOCKER_HOST: host, DOCKER_CONFIG: config });
        await tmux.type(`docker pull ${name}; echo "exit=$?"`);
        // Up to the shell's next prompt: a screen caught between the echo and the prompt differs by that line alone.
        screens.push((await tmux.waitFor(/exit=0\s*\nhost\$/, 30_000)).replace(/\s+$/gm, ""));
      } finally {
        await tmux.stop();
      }
    }
    expect(screens[0]).toContain("Pull complete");
    expect(screens[0]).toBe(screens[1]);
  }, 90_000);

  test("search", async () => {
    const index = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(request) {
        const url = new URL(request.url);
        if (url.pathname === "/v1/search") {
          const results = [
            { name: "busybox", description: "Busybox base image, with a description long enough to be cut", star_count: 3000, is_official: true, is_automated: false },
            { name: "someone/busybox-extra", description: "Extra", star_count: 7, is_official: false, is_automated: true },
          ];
          const shown = results.slice(0, Number(url.searchParams.get("n") ?? 25));
          return Response.json({ num_results: shown.length, query: url.searchParams.get("q"), results: shown });
        }
        return new Response("{}", { headers: { "Content-Type": "application/json" } });
      },
    });
    try {
      const term = `127.0.0.1:${index.port}/busybox`;
      for (const args of [[term], ["--no-trunc", term], ["--filter", "is-official=true", term], ["--limit", "1", term]]) {
        const [ours, theirs] = await both("search", ...args);
        expect([ours.code, ours.stdout, ours.stderr]).toEqual([theirs.code, theirs.stdout, theirs.stderr]);
      }
    } finally {
      index.stop(true);
    }
  });

  test("search of a registry without /v1/search lists its catalog", async () => {
    const r = await docker(bunker.host, bunkerSideConfig, "search", `${registry.host}/busy`);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[1]).toMatch(new RegExp(`^${registry.host}/busybox\\s+0\\s*$`));
  });
});

test("docker-py: login, pull, push, and a run of an image no registry has raises ImageNotFound", async () => {
  const r = await run([PYTHON, join(import.meta.dir, "clients/ship_docker_py.py"), registry.host, USER, PASSWORD, image], { DOCKER_HOST: bunker.host, DOCKER_CONFIG: join(configs, "docker-py") });
  expect(r.stderr).toBe("");
  expect(r.stdout.split("\n")).toEqual(["login Login Succeeded", "pulled True", "pushed True", "missing ImageNotFound", ""]);
}, 60_000);

describe("a registry with token (Bearer) auth", () => {
  test("Docker pushes; bunker fails without login, logs in, pulls, runs; pushes a change that Docker pulls; a second push uploads nothing", async () => {
    const host = tokenRegistry.host;
    const name = `${host}/busybox:1`;
    await ok(docker(dockerd.host, dockerConfig, "login", "-u", USER, "-p", PASSWORD, host));
    await ok(docker(dockerd.host, dockerConfig, "tag", image, name));
    await ok(docker(dockerd.host, dockerConfig, "push", name));
    // Public repositories take anonymous pulls; Docker pushes one too.
    await ok(docker(dockerd.host, dockerConfig, "tag", image, `${host}/public/busybox:1`));
    await ok(docker(dockerd.host, dockerConfig, "push", `${host}/public/busybox:1`));

    const refused = await bunkerCli("pull", name);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("authentication required");
    expect(await ok(bunkerCli("pull", `${host}/public/busybox:1`))).toContain(`Status: Downloaded newer image for ${host}/public/busybox:1`);
    expect(tokenRegistry.tokenRequests.some((query) => query.get("scope") === "repository:public/busybox:pull" && !query.has("account"))).toBe(true);

    expect(await ok(bunkerCli("login", "-u", USER, "-p", PASSWORD, host))).toBe("Login Succeeded\n");
    expect(await ok(bunkerCli("pull", name))).toContain(`Status: Downloaded newer image for ${name}`);
    expect((await ok(bunkerCli("run", "--rm", name, "echo", "token pulled"))).trim()).toBe("token pulled");
    expect((await ok(bunkerCli("image", "inspect", "--format", "{{.Id}}", name))).trim()).toBe(dockerImageId);

    const changed = `${host}/changed:1`;
    await ok(bunkerCli("run", "--name", "token-changer", name, "sh", "-c", "echo token change > /change"));
    await ok(bunkerCli("commit", "token-changer", changed));
    await ok(bunkerCli("rm", "token-changer"));
    const first = await ok(bunkerCli("push", changed));
    expect(first).toMatch(/: Pushed\n/);
    expect(tokenRegistry.tokenRequests.some((query) => query.getAll("scope").includes("repository:changed:pull,push") && query.get("account") === USER)).toBe(true);
    await ok(docker(dockerd.host, dockerConfig, "pull", changed));
    expect(await ok(docker(dockerd.host, dockerConfig, "run", "--rm", changed, "cat", "/change"))).toBe("token change\n");
    const second = await ok(bunkerCli("push", changed));
    expect(second).not.toContain("Pushed");
    expect(second.match(/: Layer already exists\n/g)).toHaveLength(2);
  }, 90_000);

  test("login with a wrong password is refused by the token service", async () => {
    const r = await bunkerCli("login", "-u", USER, "-p", "wrong", tokenRegistry.host);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unauthorized: incorrect username or password");
  });
});
