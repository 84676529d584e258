/** The daemon killed with SIGKILL at a bad moment, then restarted: state is true, nothing leaks. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { eventually, TestDaemon } from "./harness.ts";

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await TestDaemon.withBase("crash");
});
afterAll(async () => {
  await daemon.cleanup();
});

test("after SIGKILL and restart, ps -a is true, images are intact and everything is removable", async () => {
  const worker = (await daemon.bunker("run", "-d", "--name", "worker", "base", "sh", "-c", "while true; do echo tick; sleep 0.2; done")).stdout.trim();
  const dying = (await daemon.bunker("run", "-d", "--name", "dying", "base", "sh", "-c", "sleep 1; exit 4")).stdout.trim();
  const stopped = (await daemon.bunker("run", "--name", "stopped", "base", "sh", "-c", "echo before; exit 2"));
  expect(stopped.code).toBe(2);
  const imagesBefore = (await daemon.bunker("images", "-q", "--no-trunc")).stdout;

  await daemon.kill9();
  await Bun.sleep(1500); // `dying` exits while no daemon is there
  await daemon.start();

  const ps = (await daemon.bunker("ps", "-a")).stdout;
  expect(ps).toMatch(/worker\s*$/m);
  expect(ps.split("\n").find((l) => l.includes("worker"))).toContain("Up");
  expect(ps.split("\n").find((l) => l.includes("dying"))).toContain("Exited (255)");
  expect(ps.split("\n").find((l) => l.includes("stopped"))).toContain("Exited (2)");
  expect((await daemon.bunker("images", "-q", "--no-trunc")).stdout).toBe(imagesBefore);

  // The survivor is adopted again: its new output reaches the log, stop and wait work on it.
  const ticks = async () => (await daemon.bunker("logs", "worker")).stdout.split("\n").length;
  const before = await ticks();
  await eventually(async () => (await ticks()) > before + 2);
  expect((await daemon.bunker("logs", "stopped")).stdout).toBe("before\n");
  expect((await daemon.bunker("stop", "-t", "1", worker)).code).toBe(0);
  expect((await daemon.bunker("inspect", "-f", "{{.State.Status}}", worker)).stdout.trim()).toBe("exited");

  // A stopped container starts again after the restart.
  expect((await daemon.bunker("start", "stopped")).code).toBe(0);
  expect((await daemon.bunker("wait", "stopped")).stdout).toBe("2\n");

  expect((await daemon.bunker("rm", "-f", worker, dying, "stopped")).code).toBe(0);
  expect((await daemon.bunker("ps", "-aq")).stdout).toBe("");
  expect((await daemon.bunker("run", "--rm", "base", "echo", "still works")).stdout).toBe("still works\n");
  const mounts = readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((l) => l.includes(daemon.root));
  expect(mounts).toEqual([]);
});

test("a second daemon on the same pidfile is refused; a stale pidfile is replaced", async () => {
  const second = Bun.spawnSync([
    (await import("./harness.ts")).BIN, "daemon", "--root", daemon.root, "-H", `unix://${daemon.dir}/other.sock`, "--pidfile", daemon.pidfile,
  ]);
  expect(second.exitCode).not.toBe(0);
  expect(second.stderr.toString()).toContain("pid file found");
  await daemon.kill9();
  expect(readFileSync(daemon.pidfile, "utf8").trim()).toMatch(/^\d+$/); // left behind by the killed daemon
  await daemon.start();
  expect(readFileSync(daemon.pidfile, "utf8").trim()).toBe(String(daemon.pid));
});

test("SIGTERM stops the daemon cleanly: pidfile and socket removed, containers keep running", async () => {
  const id = (await daemon.bunker("run", "-d", "base", "sleep", "60")).stdout.trim();
  await daemon.stop();
  expect(existsSync(daemon.pidfile)).toBe(false);
  expect(existsSync(daemon.socket)).toBe(false);
  await daemon.start();
  expect((await daemon.bunker("inspect", "-f", "{{.State.Running}}", id)).stdout.trim()).toBe("true");
  expect((await daemon.bunker("rm", "-f", id)).code).toBe(0);
});
