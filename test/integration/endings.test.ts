/**
 * Every way a container ends leaves nothing behind and leaves no client waiting: cgroups the
 * container made itself, cgroups a dead daemon left, failed starts under --rm, and attach on
 * a container that has exited.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { bunkerCgroups, run, TestDaemon } from "./harness.ts";
import { TestBridge } from "./test-bridge.ts";

const bridge = new TestBridge();
let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await TestDaemon.withBase("endings", bridge.daemonArgs(24));
});
afterAll(async () => {
  try {
    await daemon?.cleanup();
  } finally {
    await bridge.remove();
  }
});

const ofContainer = (id: string) => bunkerCgroups().filter((dir) => dir.endsWith(`/bunker/${id}`));

describe("cgroups", () => {
  test("a container's own child cgroups go with it on rm -f, in every hierarchy", async () => {
    const id = (await daemon.bunkerOk("run", "-d", "base", "sleep", "600")).trim();
    const dirs = ofContainer(id);
    expect(dirs.length).toBeGreaterThan(0);
    // What a container with cgroup access (or a delegated one) makes inside its own.
    for (const dir of dirs) mkdirSync(join(dir, "child", "grandchild"), { recursive: true });
    await daemon.bunkerOk("rm", "-f", id);
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
  });

  test("a daemon start sweeps cgroups under bunker/ that belong to no container", async () => {
    const orphan = bunkerCgroups()[0]?.replace(/\/bunker\/.*$/, "/bunker/0000orphan") ?? "/sys/fs/cgroup/pids/bunker/0000orphan";
    mkdirSync(join(orphan, "nested"), { recursive: true });
    await daemon.stop();
    await daemon.start();
    expect(existsSync(orphan)).toBe(false);
  });
});

describe("concurrent starts", () => {
  test("starts and restarts at once launch one init: nothing is orphaned, rm -f leaves no process", async () => {
    const id = (await daemon.bunkerOk("create", "base", "sleep", "600")).trim();
    const starts = await Promise.all(Array.from({ length: 4 }, () => daemon.api(`/containers/${id}/start`, { method: "POST" })));
    expect(starts.map((r) => r.status).sort()).toEqual([204, 304, 304, 304]);
    const restarts = await Promise.all(Array.from({ length: 3 }, () => daemon.api(`/containers/${id}/restart?t=0`, { method: "POST" })));
    expect(restarts.map((r) => r.status)).toEqual([204, 204, 204]);
    const procs = ofContainer(id).find((dir) => dir.includes("/pids/")) ?? ofContainer(id)[0]!;
    // The init alone: one sleep, not one per start.
    expect(readFileSync(join(procs, "cgroup.procs"), "utf8").trim().split("\n")).toHaveLength(1);
    await daemon.bunkerOk("rm", "-f", id);
    expect(ofContainer(id)).toEqual([]);
  });
});

describe("failed starts and exited containers answer every client", () => {
  test("docker run --rm of a missing command exits 127 with the message, within a second; nothing stays", async () => {
    const started = performance.now();
    const r = await daemon.docker("run", "--rm", "base", "/nonexistent");
    expect(performance.now() - started).toBeLessThan(1000);
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('exec: "/nonexistent": stat /nonexistent: no such file or directory');
    expect((await daemon.bunkerOk("ps", "-a", "-q"))).toBe("");
  });

  test("docker run --rm on a busy port exits 125 with Docker's message, within a second", async () => {
    const squatter = createServer().listen(0, "0.0.0.0");
    await new Promise((resolve) => squatter.once("listening", resolve));
    const busy = (squatter.address() as { port: number }).port;
    try {
      const started = performance.now();
      const r = await daemon.docker("run", "--rm", "-p", `${busy}:80`, "base", "true");
      expect(performance.now() - started).toBeLessThan(1000);
      expect(r.code).toBe(125);
      expect(r.stderr).toContain(`Bind for 0.0.0.0:${busy} failed: port is already allocated`);
    } finally {
      squatter.close();
    }
  });

  test("docker-py attach(stream=False, logs=True) on an exited container returns its output", async () => {
    const script = `
import docker
client = docker.DockerClient(base_url="${daemon.host}")
c = client.containers.run("base", "sh -c 'echo out; echo err >&2'", detach=True)
c.wait()
print(repr(c.attach(stream=False, logs=True)))
print(repr(c.attach(stream=False, logs=True, stderr=False)))
c.remove()
`;
    const r = await run(["/usr/bin/python3", "-c", script]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("b'out\\nerr\\n'\nb'out\\n'\n");
  });
});
