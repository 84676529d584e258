/** run's options end to end: restart policies (also across a daemon restart), --stop-timeout, -h, -u, -w, --env-file, --dns, --cidfile, --rm. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, eventually, TestDaemon } from "./harness.ts";

let daemon: TestDaemon;
let scratch: string;
beforeAll(async () => {
  daemon = await TestDaemon.withBase("run-options");
  scratch = mkdtempSync(join(daemon.dir, "scratch-"));
});
afterAll(async () => {
  await daemon.cleanup();
});

interface Inspected {
  Id: string;
  RestartCount: number;
  State: { Status: string; Running: boolean; Restarting: boolean; ExitCode: number; Pid: number };
  Config: { StopTimeout?: number };
}

async function inspect(ref: string): Promise<Inspected> {
  const r = await daemon.bunker("inspect", ref);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout)[0];
}

async function runDetached(...args: string[]): Promise<string> {
  const r = await daemon.bunker("run", "-d", ...args);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout.trim();
}

async function output(...args: string[]): Promise<string> {
  const r = await daemon.bunker("run", "--rm", ...args);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout;
}

async function gone(ref: string): Promise<boolean> {
  return (await daemon.api(`/containers/${ref}/json`)).status === 404;
}

async function containerCount(): Promise<number> {
  return (await daemon.bunker("ps", "-aq")).stdout.split("\n").filter(Boolean).length;
}

describe("restart policies", () => {
  test("on-failure:2 restarts a failing container exactly twice, with a growing delay", async () => {
    const started = Date.now();
    const id = await runDetached("--restart", "on-failure:2", "base", "sh", "-c", "exit 3");
    await eventually(async () => {
      const c = await inspect(id);
      return c.RestartCount === 2 && c.State.Status === "exited";
    });
    // Backoff: 100 ms before the first restart, 200 ms before the second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await Bun.sleep(1000);
    const settled = await inspect(id);
    expect(settled).toMatchObject({ RestartCount: 2, State: { Status: "exited", Running: false, Restarting: false, ExitCode: 3 } });
    expect((await daemon.bunker("wait", id)).stdout).toBe("3\n");
  });

  test("on-failure leaves a clean exit alone", async () => {
    const id = await runDetached("--restart", "on-failure", "base", "true");
    expect((await daemon.bunker("wait", id)).stdout).toBe("0\n");
    await Bun.sleep(500);
    expect(await inspect(id)).toMatchObject({ RestartCount: 0, State: { Status: "exited" } });
  });

  test("always: Restarting in inspect and ps during the backoff; stop ends it for good", async () => {
    const id = await runDetached("--restart", "always", "base", "sh", "-c", "exit 1");
    // The delay doubles (100, 200, 400, 800 ms...), so a restarting phase is soon long enough to see.
    await eventually(async () => (await inspect(id)).State.Restarting, 15_000);
    const c = await inspect(id);
    expect(c.RestartCount).toBeGreaterThanOrEqual(1);
    expect(c.State).toMatchObject({ Status: "restarting", Running: true, ExitCode: 1, Pid: 0 });
    const ps = await daemon.bunker("ps");
    expect(ps.stdout).toMatch(new RegExp(`${id.slice(0, 12)}.*Restarting \\(1\\) (Less than a second|\\d+ seconds?) ago`));
    expect((await daemon.bunker("stop", id)).code).toBe(0);
    const stopped = await inspect(id);
    expect(stopped.State).toMatchObject({ Status: "exited", Running: false, Restarting: false });
    await Bun.sleep(1500);
    expect((await inspect(id)).RestartCount).toBe(stopped.RestartCount);
  });

  test("always: a container that ran restarts after its exit, counting RestartCount", async () => {
    const id = await runDetached("--restart", "always", "base", "sh", "-c", "sleep 0.3; exit 0");
    await eventually(async () => (await inspect(id)).RestartCount >= 2);
    expect((await daemon.bunker("rm", "-f", id)).code).toBe(0);
  });

  test("kill calls off `always`; a non-fatal signal does not", async () => {
    const trap = ["sh", "-c", "trap 'exit 5' USR1; while true; do sleep 0.1; done"];
    const id = await runDetached("--restart", "always", "base", ...trap);
    await Bun.sleep(300);
    const firstPid = (await inspect(id)).State.Pid;
    expect((await daemon.bunker("kill", "-s", "USR1", id)).code).toBe(0);
    await eventually(async () => {
      const c = await inspect(id);
      return c.RestartCount === 1 && c.State.Status === "running" && c.State.Pid !== firstPid;
    });
    expect((await daemon.bunker("kill", id)).code).toBe(0);
    expect((await daemon.bunker("wait", id)).stdout).toBe("137\n");
    await Bun.sleep(800);
    expect(await inspect(id)).toMatchObject({ RestartCount: 1, State: { Status: "exited", ExitCode: 137 } });
  });

  test("rm refuses a restarting container; rm -f removes it and no restart follows", async () => {
    const id = await runDetached("--restart", "always", "base", "sh", "-c", "exit 1");
    await eventually(async () => (await inspect(id)).State.Restarting, 15_000);
    const refused = await daemon.bunker("rm", id);
    expect(refused.stderr).toContain("You cannot remove a restarting container");
    expect((await daemon.bunker("rm", "-f", id)).code).toBe(0);
    await Bun.sleep(1000);
    expect(await gone(id)).toBe(true);
  });

  test("invalid policies are refused, and --rm does not mix with a policy", async () => {
    expect((await daemon.bunker("create", "--restart", "sometimes", "base", "true")).stderr).toContain("invalid restart policy");
    const mixed = await daemon.bunker("run", "--rm", "--restart", "always", "base", "true");
    expect(mixed.code).toBe(125);
    expect(mixed.stderr).toContain("can't create 'AutoRemove' container with restart policy");
    const body = { Image: "base", Cmd: ["true"], HostConfig: { RestartPolicy: { Name: "always", MaximumRetryCount: 3 } } };
    const api = await daemon.api("/containers/create", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    expect(api.status).toBe(400);
  });

  test("a restarted daemon starts `always` and `unless-stopped` containers again, but not one the user stopped", async () => {
    const always = await runDetached("--restart", "always", "base", "sleep", "300");
    const unless = await runDetached("--restart", "unless-stopped", "base", "sleep", "300");
    const stoppedByUser = await runDetached("--restart", "unless-stopped", "base", "sleep", "300");
    const never = await runDetached("base", "sleep", "300");
    await daemon.bunker("kill", stoppedByUser);
    const pids = await Promise.all([always, unless, never].map(async (id) => (await inspect(id)).State.Pid));
    // The daemon dies, and so do the containers with it, as in a reboot.
    await daemon.kill9();
    for (const pid of pids) process.kill(pid, 9);
    await eventually(() => pids.every((pid) => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z")));
    await daemon.start();
    await eventually(async () => (await inspect(always)).State.Status === "running" && (await inspect(unless)).State.Status === "running");
    expect((await inspect(always)).State.Pid).not.toBe(pids[0]);
    expect((await inspect(stoppedByUser)).State.Status).toBe("exited");
    expect((await inspect(never)).State).toMatchObject({ Status: "exited", ExitCode: 255 });
    await daemon.bunker("rm", "-f", always, unless, stoppedByUser, never);
  });
});

describe("--stop-timeout", () => {
  test("stop and restart wait StopTimeout seconds when no -t is given; -t still wins", async () => {
    // sleep as PID 1 ignores SIGTERM, so each stop lasts the whole grace period.
    const id = await runDetached("--stop-timeout", "1", "base", "sleep", "300");
    expect((await inspect(id)).Config.StopTimeout).toBe(1);
    let started = Date.now();
    expect((await daemon.bunker("restart", id)).code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(5000);
    started = Date.now();
    expect((await daemon.bunker("stop", id)).code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await inspect(id)).State.ExitCode).toBe(137);
    await daemon.bunker("start", id);
    started = Date.now();
    expect((await daemon.bunker("stop", "-t", "0", id)).code).toBe(0);
    expect(Date.now() - started).toBeLessThan(900);
  });

  test("a malformed value is refused by the CLI", async () => {
    const r = await daemon.bunker("run", "--stop-timeout", "soon", "base", "true");
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('invalid argument "soon" for "--stop-timeout" flag');
  });
});

describe("process options", () => {
  test("-h sets the hostname; without it, the short ID", async () => {
    expect(await output("-h", "myhost", "base", "sh", "-c", "hostname; cat /etc/hostname; echo $HOSTNAME")).toBe("myhost\nmyhost\nmyhost\n");
    const id = await runDetached("base", "hostname");
    await daemon.bunker("wait", id);
    expect((await daemon.bunker("logs", id)).stdout).toBe(`${id.slice(0, 12)}\n`);
  });

  test("-u nobody is uid 65534; -u 1000:1000 is uid and gid 1000", async () => {
    expect(await output("-u", "nobody", "base", "sh", "-c", "id -u; id -g")).toBe("65534\n65534\n");
    expect(await output("-u", "1000:1000", "base", "sh", "-c", "id -u; id -g")).toBe("1000\n1000\n");
  });

  test("-w creates the directory and starts there", async () => {
    expect(await output("-w", "/new/dir", "base", "sh", "-c", "pwd; test -d /new/dir && echo made")).toBe("/new/dir\nmade\n");
  });

  test("--env-file: KEY=VALUE verbatim, bare KEY from the client, comments skipped, -e wins", async () => {
    const file = join(scratch, "env");
    writeFileSync(file, "# settings\nA=from-file\n\n  B=two words \nFROM_CLIENT\nMISSING_IN_CLIENT\nC=\"quoted\"\n");
    const env = await daemon.bunker("run", "--rm", "--env-file", file, "-e", "A=from-flag", "base", "env");
    expect(env.code).toBe(0);
    const lines = env.stdout.split("\n");
    expect(lines).toContain("A=from-flag");
    expect(lines).toContain("B=two words ");
    expect(lines).toContain('C="quoted"');
    expect(lines.some((l) => l.startsWith("MISSING_IN_CLIENT"))).toBe(false);
    const missing = await daemon.bunker("run", "--rm", "--env-file", join(scratch, "nope"), "base", "true");
    expect(missing.code).toBe(125);
    expect(missing.stderr).toContain("no such file or directory");
  });

  test("--env-file: a bare KEY takes the client's value", async () => {
    const file = join(scratch, "env-client");
    writeFileSync(file, "FROM_CLIENT\n");
    const child = Bun.spawn([BIN, "-H", daemon.host, "run", "--rm", "--env-file", file, "base", "sh", "-c", "echo $FROM_CLIENT"], {
      env: { ...process.env, FROM_CLIENT: "hello" },
      stdout: "pipe",
    });
    expect(await new Response(child.stdout).text()).toBe("hello\n");
  });

  test("--dns writes the container's resolv.conf", async () => {
    expect(await output("--dns", "1.2.3.4", "--dns", "9.9.9.9", "base", "cat", "/etc/resolv.conf")).toBe("nameserver 1.2.3.4\nnameserver 9.9.9.9\n");
  });
});

describe("--cidfile", () => {
  test("the ID is written once the container exists", async () => {
    const file = join(scratch, "cid-new");
    const id = await runDetached("--cidfile", file, "base", "true");
    expect(readFileSync(file, "utf8")).toBe(id);
  });

  test("an existing file stops the run before any container is made", async () => {
    const file = join(scratch, "cid-existing");
    writeFileSync(file, "someone else's");
    const before = await containerCount();
    const r = await daemon.bunker("run", "--cidfile", file, "base", "true");
    expect(r.code).toBe(125);
    expect(r.stderr).toContain("Container ID file found");
    expect(await containerCount()).toBe(before);
    expect(readFileSync(file, "utf8")).toBe("someone else's");
  });

  test("a file that cannot be made leaves no container behind", async () => {
    const before = await containerCount();
    const r = await daemon.bunker("create", "--cidfile", join(scratch, "no-such-dir", "cid"), "base", "true");
    expect(r.code).toBe(125);
    expect(r.stderr).toContain("failed to create the container ID file");
    expect(await containerCount()).toBe(before);
  });

  test("a failed create takes the empty file away", async () => {
    const file = join(scratch, "cid-failed");
    const r = await daemon.bunker("run", "--pull=never", "--cidfile", file, "no-such-image", "true");
    expect(r.code).toBe(125);
    expect(existsSync(file)).toBe(false);
  });
});

describe("--rm", () => {
  test("the daemon removes the container after its exit even when the client was killed first", async () => {
    const client = Bun.spawn([BIN, "-H", daemon.host, "run", "--rm", "--name", "orphaned-rm", "base", "sh", "-c", "sleep 1.5; echo done"], {
      stdout: "pipe",
      stderr: "pipe",
    });
    await eventually(async () => (await daemon.bunker("inspect", "-f", "{{.State.Status}}", "orphaned-rm")).stdout.trim() === "running");
    client.kill(9);
    await client.exited;
    expect((await inspect("orphaned-rm")).State.Status).toBe("running");
    await eventually(() => gone("orphaned-rm"), 10_000);
  });
});
