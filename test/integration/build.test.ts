/**
 * `bunker build` and `POST /build`, the legacy builder: a Dockerfile of every 2013 instruction
 * plus COPY, ARG and LABEL; Docker's cache (hits, content and mode changes, mtimes); build args,
 * -q and --iidfile; stdin contexts; multi-stage; ONBUILD; failures; the docker CLI with
 * DOCKER_BUILDKIT=0 and docker-py.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ok, run, TestDaemon } from "./harness.ts";

let daemon: TestDaemon;
let context: string;
const PYTHON = "/usr/bin/python3";

const DOCKERFILE = `# a comment
FROM base
MAINTAINER Jane Doe <jane@example.com>
ARG GREETING=hello
ENV NAME=world \\
    MESSAGE="$GREETING there"
WORKDIR /app
COPY greeting.txt ./
ADD extra.txt /app/extra/
RUN echo "$MESSAGE, $NAME" > /app/message && \\
    cat /app/message
EXPOSE 8080/tcp 9000
VOLUME ["/data"]
LABEL version="1.0" description="a test image"
USER nobody
ENTRYPOINT ["cat"]
CMD ["/app/message"]
`;

function write(name: string, content: string): void {
  mkdirSync(join(context, name, ".."), { recursive: true });
  writeFileSync(join(context, name), content);
}
const build = (...args: string[]) => daemon.bunker("build", ...args);
const steps = (output: string) => output.split("\n").filter((line) => line.startsWith("Step "));
const cacheHits = (output: string) => output.split("\n").filter((line) => line === " ---> Using cache").length;
const builtId = (output: string) => /Successfully built ([0-9a-f]{12})/.exec(output)?.[1];

beforeAll(async () => {
  daemon = await TestDaemon.withBase("build");
  context = mkdtempSync("/tmp/bunker-test-build-context-");
  write("Dockerfile", DOCKERFILE);
  write("greeting.txt", "hi from the context\n");
  write("extra.txt", "extra\n");
  write(".dockerignore", "secret*\n*.log\n!keep.log\n");
  write("secret.key", "do not send\n");
  write("debug.log", "noise\n");
  write("keep.log", "kept\n");
});
afterAll(async () => {
  try {
    await daemon?.cleanup();
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
});

describe("a Dockerfile of every 2013 instruction plus COPY, ARG and LABEL", () => {
  let first: string;
  test("builds, runs as written, and shows its settings in image inspect", async () => {
    first = await ok(build("-t", "every:1", context));
    expect(first).toStartWith("Sending build context to Docker daemon");
    expect(steps(first)).toHaveLength(14);
    expect(first).toContain("Step 1/14 : FROM base\n");
    expect(first).toContain("hello there, world\n");
    expect(first).toMatch(/ ---> Running in [0-9a-f]{12}\n/);
    expect(first).toMatch(/Removing intermediate container [0-9a-f]{12}\n/);
    expect(first).toContain("Successfully tagged every:1\n");
    expect(await ok(daemon.bunker("run", "--rm", "every:1"))).toBe("hello there, world\n");
    expect(await ok(daemon.bunker("run", "--rm", "every:1", "/app/greeting.txt", "/app/extra/extra.txt"))).toBe("hi from the context\nextra\n");
    const [image] = JSON.parse(await ok(daemon.bunker("image", "inspect", "every:1")));
    expect(image.Author).toBe("Jane Doe <jane@example.com>");
    expect(image.Config.User).toBe("nobody");
    expect(image.Config.WorkingDir).toBe("/app");
    expect(image.Config.ExposedPorts).toEqual({ "8080/tcp": {}, "9000/tcp": {} });
    expect(image.Config.Volumes).toEqual({ "/data": {} });
    expect(image.Config.Labels).toEqual({ version: "1.0", description: "a test image" });
    expect(image.Config.Entrypoint).toEqual(["cat"]);
    expect(image.Config.Cmd).toEqual(["/app/message"]);
    expect(image.Config.Env).toEqual(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "NAME=world", "MESSAGE=hello there"]);
    // No intermediate container is left.
    expect((await ok(daemon.bunker("ps", "-a", "-q"))).trim()).toBe("");
  }, 60_000);

  test(".dockerignore keeps files out of the context, with its exceptions", async () => {
    const probe = mkdtempSync("/tmp/bunker-test-build-probe-");
    try {
      for (const name of ["secret.key", "debug.log", "keep.log", ".dockerignore"]) writeFileSync(join(probe, name), readFileSync(join(context, name)));
      writeFileSync(join(probe, "Dockerfile"), "FROM base\nCOPY . /ctx/\nRUN ls -a /ctx\n");
      const out = await ok(build(probe));
      const listed = out.split("\n");
      expect(listed).toContain("keep.log");
      expect(listed).toContain("Dockerfile");
      expect(listed).not.toContain("secret.key");
      expect(listed).not.toContain("debug.log");
    } finally {
      rmSync(probe, { recursive: true, force: true });
    }
  }, 30_000);

  test("a rebuild uses the cache for every step after FROM and gives the same image", async () => {
    const again = await ok(build("-t", "every:1", context));
    expect(cacheHits(again)).toBe(13);
    expect(builtId(again)).toBe(builtId(first));
    expect(again).not.toContain("Running in");
  });

  test("touching a file keeps the cache; changing its content or mode invalidates its COPY and what follows", async () => {
    const file = join(context, "greeting.txt");
    utimesSync(file, new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect(cacheHits(await ok(build(context)))).toBe(13);
    chmodSync(file, 0o600);
    const afterChmod = await ok(build(context));
    expect(cacheHits(afterChmod)).toBe(4); // MAINTAINER, ARG, ENV, WORKDIR, and not COPY
    chmodSync(file, 0o644);
    writeFileSync(file, "changed content\n");
    const afterEdit = await ok(build("-t", "every:2", context));
    expect(cacheHits(afterEdit)).toBe(4);
    expect(await ok(daemon.bunker("run", "--rm", "every:2", "/app/greeting.txt"))).toBe("changed content\n");
    writeFileSync(file, "hi from the context\n");
  }, 60_000);

  test("--no-cache rebuilds every step", async () => {
    const out = await ok(build("--no-cache", context));
    expect(cacheHits(out)).toBe(0);
    expect(out).toContain("hello there, world\n");
  }, 60_000);

  test("--build-arg changes the result; -q prints only the ID; --iidfile writes it", async () => {
    const quiet = await ok(build("-q", "--build-arg", "GREETING=howdy", "-t", "every:howdy", context));
    expect(quiet).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(await ok(daemon.bunker("run", "--rm", "every:howdy"))).toBe("howdy there, world\n");
    const iidfile = join(daemon.dir, "iid");
    await ok(build("--iidfile", iidfile, "--build-arg", "GREETING=howdy", context));
    expect(readFileSync(iidfile, "utf8")).toBe(quiet.trim());
    const unused = await ok(build("--build-arg", "NOBODY=1", context));
    expect(unused).toContain("[Warning] One or more build-args [NOBODY] were not consumed\n");
  }, 60_000);
});

describe("ownership and downloads", () => {
  test("COPY --chown by number and by name; ADD of a URL is downloaded, not unpacked, mode 0600", async () => {
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(Bun.gzipSync(new TextEncoder().encode("not unpacked"))) });
    const dir = mkdtempSync("/tmp/bunker-test-build-chown-");
    try {
      writeFileSync(join(dir, "f"), "owned\n");
      writeFileSync(join(dir, "Dockerfile"), `FROM base\nCOPY --chown=1234:5678 f /numeric\nCOPY --chown=nobody f /named\nADD http://127.0.0.1:${server.port}/data.gz /downloads/\n`);
      await ok(build("-t", "owned", dir));
      const stat = await ok(daemon.bunker("run", "--rm", "owned", "stat", "-c", "%u:%g %n", "/numeric", "/named"));
      const nobody = (await ok(daemon.bunker("run", "--rm", "base", "sh", "-c", "grep ^nobody: /etc/passwd | cut -d: -f3,4"))).trim();
      expect(stat).toBe(`1234:5678 /numeric\n${nobody} /named\n`);
      expect(await ok(daemon.bunker("run", "--rm", "owned", "stat", "-c", "%a %s", "/downloads/data.gz"))).toMatch(/^600 \d+\n$/);
    } finally {
      server.stop(true);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("contexts", () => {
  test("a Dockerfile on stdin, and a tar on stdin", async () => {
    const dockerfile = await run([process.env.BUNKER_BIN ?? join(import.meta.dir, "../../dist/bunker"), "-H", daemon.host, "build", "-t", "from-stdin", "-"], {}, "FROM base\nRUN echo built from stdin > /stdin\n");
    expect(dockerfile.code).toBe(0);
    expect(await ok(daemon.bunker("run", "--rm", "from-stdin", "cat", "/stdin"))).toBe("built from stdin\n");
    const tar = join(daemon.dir, "context.tar");
    await ok(run(["tar", "-C", context, "-cf", tar, "."]));
    const fromTar = await run(["sh", "-c", `${process.env.BUNKER_BIN ?? join(import.meta.dir, "../../dist/bunker")} -H ${daemon.host} build -t from-tar - < ${tar}`]);
    expect(fromTar.code).toBe(0);
    expect(await ok(daemon.bunker("run", "--rm", "from-tar"))).toBe("hello there, world\n");
  }, 60_000);
});

describe("stages and triggers", () => {
  test("multi-stage COPY --from by name and index, and --target", async () => {
    const dir = mkdtempSync("/tmp/bunker-test-build-stages-");
    try {
      writeFileSync(join(dir, "Dockerfile"), "FROM base AS builder\nRUN echo compiled > /artifact\nFROM base AS tester\nRUN echo tested > /report\nFROM base\nCOPY --from=builder /artifact /from-name\nCOPY --from=1 /report /from-index\n");
      await ok(build("-t", "staged", dir));
      expect(await ok(daemon.bunker("run", "--rm", "staged", "cat", "/from-name", "/from-index"))).toBe("compiled\ntested\n");
      const target = await ok(build("--target", "builder", "-t", "staged:builder", dir));
      expect(steps(target)).toHaveLength(2);
      expect(await ok(daemon.bunker("run", "--rm", "staged:builder", "cat", "/artifact"))).toBe("compiled\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test("ONBUILD triggers fire in the child build", async () => {
    const dir = mkdtempSync("/tmp/bunker-test-build-onbuild-");
    try {
      writeFileSync(join(dir, "Dockerfile"), "FROM base\nONBUILD RUN echo triggered > /trigger\n");
      await ok(build("-t", "parent-with-trigger", dir));
      writeFileSync(join(dir, "Dockerfile"), "FROM parent-with-trigger\nCMD [\"cat\", \"/trigger\"]\n");
      const child = await ok(build("-t", "child-of-trigger", dir));
      expect(child).toContain("# Executing 1 build trigger\n");
      expect(await ok(daemon.bunker("run", "--rm", "child-of-trigger"))).toBe("triggered\n");
      const [image] = JSON.parse(await ok(daemon.bunker("image", "inspect", "child-of-trigger")));
      expect(image.Config.OnBuild ?? []).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("failures", () => {
  test("a failing RUN fails the build with Docker's message and exit 1, leaving no container", async () => {
    const r = await run([process.env.BUNKER_BIN ?? join(import.meta.dir, "../../dist/bunker"), "-H", daemon.host, "build", "-"], {}, "FROM base\nRUN echo about to fail; exit 3\n");
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("The command '/bin/sh -c echo about to fail; exit 3' returned a non-zero code: 3\n");
    expect(r.stdout).toContain("about to fail\n");
    expect((await ok(daemon.bunker("ps", "-a", "-q"))).trim()).toBe("");
  }, 30_000);

  test("ADD ../x and a context symlink that points outside are refused", async () => {
    const dir = mkdtempSync("/tmp/bunker-test-build-escape-");
    try {
      writeFileSync(join(dir, "Dockerfile"), "FROM base\nADD ../x /x\n");
      const up = await build(dir);
      expect(up.code).toBe(1);
      expect(up.stderr).toContain("Forbidden path outside the build context: ../x");
      symlinkSync("/etc", join(dir, "outside"));
      writeFileSync(join(dir, "Dockerfile"), "FROM base\nCOPY outside/passwd /stolen\n");
      const link = await build(dir);
      expect(link.code).toBe(1);
      expect(link.stderr).toContain("Forbidden path outside the build context: outside/passwd");
      expect((await ok(daemon.bunker("ps", "-a", "-q"))).trim()).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe("other clients", () => {
  test("DOCKER_BUILDKIT=0 docker build prints Docker's step lines and tags the image", async () => {
    const r = await run(["docker", "build", "-t", "by-docker-cli", context], { DOCKER_HOST: daemon.host, DOCKER_BUILDKIT: "0" });
    expect(r.code).toBe(0);
    expect(steps(r.stdout)).toHaveLength(14);
    expect(r.stdout).toContain("Successfully tagged by-docker-cli:latest\n");
    expect(r.stdout).toMatch(/Successfully built [0-9a-f]{12}\n/);
  }, 60_000);

  test("docker-py images.build returns the image", async () => {
    const script = `import docker\nclient = docker.from_env()\nimage, logs = client.images.build(path=${JSON.stringify(context)}, tag="by-docker-py")\nprint("by-docker-py:latest" in image.tags, any("Successfully built" in (l.get("stream") or "") for l in logs))\n`;
    const r = await run([PYTHON, "-c", script], { DOCKER_HOST: daemon.host });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("True True\n");
  }, 60_000);
});

describe("remote contexts the daemon fetches", () => {
  function freePort(): number {
    const socket = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = socket.port;
    socket.stop(true);
    return port;
  }
  async function waitForPort(port: number): Promise<void> {
    for (let i = 0; i < 100; i++) {
      try {
        const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
        socket.end();
        return;
      } catch {
        await Bun.sleep(50);
      }
    }
    throw new Error(`nothing listens on ${port}`);
  }

  test("a tarball and a lone Dockerfile served over http, and a git repository served by git daemon, with #ref:subdir", async () => {
    const served = mkdtempSync("/tmp/bunker-test-build-served-");
    const httpPort = freePort();
    const gitPort = freePort();
    const http = Bun.spawn(["python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", served, String(httpPort)], { stdout: "ignore", stderr: "ignore" });
    const repo = join(served, "repo");
    try {
      await ok(run(["tar", "-C", context, "-czf", join(served, "context.tar.gz"), "."]));
      writeFileSync(join(served, "Dockerfile"), "FROM base\nRUN echo from a url > /url\n");
      mkdirSync(join(repo, "app"), { recursive: true });
      writeFileSync(join(repo, "app/Dockerfile"), "FROM base\nCOPY note /note\n");
      writeFileSync(join(repo, "app/note"), "from git\n");
      const git = (...args: string[]) => ok(run(["git", "-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", ...args]));
      await git("init", "-q", "-b", "main");
      await git("add", ".");
      await git("commit", "-q", "-m", "context");
      await git("tag", "v1");
      writeFileSync(join(repo, "app/note"), "changed after v1\n");
      await git("commit", "-q", "-am", "later");
      const gitd = Bun.spawn(["git", "daemon", "--reuseaddr", `--base-path=${served}`, "--export-all", "--listen=127.0.0.1", `--port=${gitPort}`, served], { stdout: "ignore", stderr: "ignore" });
      try {
        await waitForPort(httpPort);
        await waitForPort(gitPort);
        await ok(build("-t", "from-http-tar", `http://127.0.0.1:${httpPort}/context.tar.gz`));
        expect(await ok(daemon.bunker("run", "--rm", "from-http-tar"))).toBe("hello there, world\n");
        await ok(build("-t", "from-http-dockerfile", `http://127.0.0.1:${httpPort}/Dockerfile`));
        expect(await ok(daemon.bunker("run", "--rm", "from-http-dockerfile", "cat", "/url"))).toBe("from a url\n");
        await ok(build("-t", "from-git", `git://127.0.0.1:${gitPort}/repo#v1:app`));
        expect(await ok(daemon.bunker("run", "--rm", "from-git", "cat", "/note"))).toBe("from git\n");
        await ok(build("-t", "from-git-head", `git://127.0.0.1:${gitPort}/repo#main:app`));
        expect(await ok(daemon.bunker("run", "--rm", "from-git-head", "cat", "/note"))).toBe("changed after v1\n");
      } finally {
        gitd.kill();
        await gitd.exited;
      }
    } finally {
      http.kill();
      await http.exited;
      rmSync(served, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("--explain-cache", () => {
  test("names what made each step miss: a file, a build argument, the instruction text", async () => {
    const dir = mkdtempSync("/tmp/bunker-test-build-explain-");
    try {
      writeFileSync(join(dir, "a.txt"), "a\n");
      writeFileSync(join(dir, "b.txt"), "b\n");
      const dockerfile = (env: string) => `FROM base\nARG LEVEL=1\nCOPY a.txt b.txt /files/\nRUN echo level $LEVEL\nENV MODE=${env}\n`;
      writeFileSync(join(dir, "Dockerfile"), dockerfile("one"));
      await ok(build(dir));
      writeFileSync(join(dir, "b.txt"), "b changed\n");
      const fileMiss = await ok(build("--explain-cache", dir));
      expect(fileMiss).toContain(" ---> Cache miss: b.txt changed\n");
      expect(fileMiss).toContain(" ---> Cache miss: an earlier step ran, so this one runs too");
      const argMiss = await ok(build("--explain-cache", "--build-arg", "LEVEL=2", dir));
      expect(argMiss).toContain(' ---> Cache miss: build argument LEVEL changed: "1" → "2"\n');
      writeFileSync(join(dir, "Dockerfile"), dockerfile("two"));
      const textMiss = await ok(build("--explain-cache", dir));
      expect(textMiss).toContain(' ---> Cache miss: the instruction changed: it was "ENV MODE=one"\n');
      expect(cacheHits(textMiss)).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
