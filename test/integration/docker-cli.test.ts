/** The real docker CLI, pointed at bunker's socket with DOCKER_HOST, prints what it prints against Docker. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually, TestDaemon } from "./harness.ts";

let daemon: TestDaemon;

beforeAll(async () => {
  daemon = await TestDaemon.withBase("docker-cli");
});
afterAll(async () => {
  await daemon?.cleanup();
});

describe("docker CLI", () => {
  test("version shows the bunker engine on API 1.41", async () => {
    const r = await daemon.docker("version");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Server: bunker\n Engine:\n  Version:\s+\d+\.\d+\.\d+\n  API version:\s+1\.41 \(minimum version 1\.12\)/);
    expect(r.stdout).toContain("API version:       1.41 (downgraded from");
  });

  test("info", async () => {
    const r = await daemon.docker("info");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(" Storage Driver: overlay2");
    expect(r.stdout).toContain(" Swarm: inactive");
    expect(r.stdout).toContain(`Docker Root Dir: ${daemon.root}`);
  });

  test("images", async () => {
    const r = await daemon.docker("images");
    expect(r.stdout).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\nbase\s+latest\s+[0-9a-f]{12}\s+.+ ago\s+\d(\.\d+)?MB\n$/);
  });

  test("run --rm prints the output, exits with the code and leaves nothing", async () => {
    expect(await daemon.docker("run", "--rm", "base", "echo", "hi")).toMatchObject({ code: 0, stdout: "hi\n" });
    expect((await daemon.docker("run", "--rm", "base", "sh", "-c", "echo out; echo err >&2; exit 3"))).toMatchObject({ code: 3, stdout: "out\n", stderr: "err\n" });
    expect((await daemon.docker("ps", "-aq")).stdout).toBe("");
  });

  test("run -d, ps, logs, stop, inspect, rm", async () => {
    const run = await daemon.docker("run", "-d", "--name", "ticker", "base", "sh", "-c", "while true; do echo tick; sleep 0.2; done");
    const id = run.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    await eventually(async () => (await daemon.docker("logs", "ticker")).stdout.startsWith("tick\ntick\n"));
    const ps = await daemon.docker("ps", "-a");
    expect(ps.stdout).toMatch(new RegExp(`^${id.slice(0, 12)}\\s+base\\s+"sh -c 'while true.*…"\\s+.+ ago\\s+Up .+\\s+ticker$`, "m"));
    expect((await daemon.docker("logs", "ticker")).stdout).toStartWith("tick\ntick\n");
    expect((await daemon.docker("logs", "--tail", "1", "-t", "ticker")).stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z tick\n$/);
    expect((await daemon.docker("stop", "-t", "1", "ticker")).stdout).toBe("ticker\n");
    const inspect = await daemon.docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.Config.Hostname}}", "ticker");
    expect(inspect.stdout).toBe(`exited 137 ${id.slice(0, 12)}\n`);
    const full = JSON.parse((await daemon.docker("inspect", "ticker")).stdout);
    expect(full[0].Id).toBe(id);
    expect(full[0].HostConfig.LogConfig.Type).toBe("json-file");
    expect((await daemon.docker("rm", "ticker")).stdout).toBe("ticker\n");
  });

  test("inspect falls back to images, and a missing object is an error", async () => {
    const image = JSON.parse((await daemon.docker("inspect", "base")).stdout);
    expect(image[0].RepoTags).toEqual(["base:latest"]);
    const missing = await daemon.docker("inspect", "nosuch");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("No such object: nosuch");
  });

  test("errors come back as the daemon's message", async () => {
    const r = await daemon.docker("stop", "nosuch");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Error response from daemon: No such container: nosuch");
  });
});
