/** A detached worker through its whole life, and the process model: no bunker process per container. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { eventually, TestDaemon } from "./harness.ts";

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await TestDaemon.withBase("lifecycle");
});
afterAll(async () => {
  await daemon.cleanup();
});

const TICKER = ["sh", "-c", "while true; do echo tick; sleep 1; done"];

async function status(ref: string): Promise<string> {
  const r = await daemon.bunker("ps", "-a", "--no-trunc");
  const line = r.stdout.split("\n").find((l) => l.includes(ref));
  return line ?? "";
}

describe("a detached worker", () => {
  let id: string;

  test("run -d prints the full ID and ps shows it Up", async () => {
    const r = await daemon.bunker("run", "-d", "base", ...TICKER);
    expect(r.code).toBe(0);
    id = r.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    await eventually(async () => /Up \d+ seconds?/.test((await daemon.bunker("ps")).stdout));
    const ps = await daemon.bunker("ps");
    expect(ps.stdout.split("\n")[0]).toMatch(/^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    expect(ps.stdout).toMatch(new RegExp(`${id.slice(0, 12)}\\s+base\\s+"sh -c 'while true.*Up \\d+ seconds?`));
  });

  test("logs show its ticks", async () => {
    await eventually(async () => (await daemon.bunker("logs", id)).stdout.split("\n").filter((l) => l === "tick").length >= 2);
  });

  test("a unique prefix of the ID resolves", async () => {
    expect((await daemon.bunker("inspect", "-f", "{{.State.Status}}", id.slice(0, 5))).stdout.trim()).toBe("running");
  });

  test("stop -t 1 ends it as Exited (137)", async () => {
    const started = Date.now();
    expect((await daemon.bunker("stop", "-t", "1", id)).code).toBe(0);
    // sh as PID 1 ignores SIGTERM, so the stop comes down to SIGKILL after the timeout.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await status(id)).toContain("Exited (137)");
  });

  test("start and restart bring it back", async () => {
    expect((await daemon.bunker("start", id)).stdout.trim()).toBe(id);
    expect(await status(id)).toContain("Up");
    const pidBefore = (await daemon.bunker("inspect", "-f", "{{.State.Pid}}", id)).stdout.trim();
    expect((await daemon.bunker("restart", "-t", "1", id)).code).toBe(0);
    const pidAfter = (await daemon.bunker("inspect", "-f", "{{.State.Pid}}", id)).stdout.trim();
    expect(await status(id)).toContain("Up");
    expect(pidAfter).not.toBe(pidBefore);
  });

  test("wait prints its code after kill", async () => {
    const waiting = daemon.bunker("wait", id);
    await Bun.sleep(200);
    expect((await daemon.bunker("kill", id)).code).toBe(0);
    expect(await waiting).toMatchObject({ code: 0, stdout: "137\n" });
  });

  test("kill -s TERM is delivered to a process that handles it", async () => {
    const r = await daemon.bunker("run", "-d", "base", "sh", "-c", "trap 'exit 42' TERM; echo trapped; while true; do sleep 0.1; done");
    const worker = r.stdout.trim();
    await eventually(async () => (await daemon.bunker("logs", worker)).stdout === "trapped\n");
    await daemon.bunker("kill", "-s", "TERM", worker);
    expect((await daemon.bunker("wait", worker)).stdout).toBe("42\n");
  });

  test("rm refuses a running container, rm -f removes it", async () => {
    await daemon.bunker("start", id);
    const refused = await daemon.bunker("rm", id);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("You cannot remove a running container");
    expect((await daemon.bunker("rm", "-f", id)).code).toBe(0);
    expect(await status(id)).toBe("");
    expect((await daemon.bunker("logs", id)).stderr).toContain("No such container");
  });
});

describe("process model", () => {
  test("20 detached containers leave no bunker process per container and no zombies", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await daemon.bunker("run", "-d", "base", "sleep", "300")).stdout.trim());
    const ps = await daemon.bunker("ps", "-q");
    expect(ps.stdout.trim().split("\n")).toHaveLength(20);
    const processes = Bun.spawnSync(["ps", "-eo", "pid,args"]).stdout.toString().split("\n");
    // No start stage outlives its container's start, and this root has exactly one daemon.
    expect(processes.filter((l) => l.includes("__stage"))).toEqual([]);
    expect(processes.filter((l) => l.includes(" daemon ") && l.includes(daemon.root))).toHaveLength(1);
    // Every container's init is a child of the daemon (the subreaper), not of a per-container helper.
    for (const id of ids) {
      const pid = Number((await daemon.bunker("inspect", "-f", "{{.State.Pid}}", id)).stdout);
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      expect(ppid).toBe(daemon.pid!);
    }
    await daemon.bunker("rm", "-f", ...ids);
    const zombies = Bun.spawnSync(["ps", "-eo", "stat,ppid"]).stdout.toString().split("\n").filter((l) => l.startsWith("Z") && l.trim().endsWith(String(daemon.pid)));
    expect(zombies).toEqual([]);
  });
});
