/** json-file logs end to end: rotation by size, reading and following across rotated files, and the logs options. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { BIN, TestDaemon } from "./harness.ts";

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await TestDaemon.withBase("logs");
});
afterAll(async () => {
  await daemon.cleanup();
});

async function runDetached(...args: string[]): Promise<string> {
  const r = await daemon.bunker("run", "-d", ...args);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout.trim();
}

/** The container's log files (live and rotated) and their sizes. */
function logFiles(id: string): Map<string, number> {
  const dir = join(daemon.root, "containers", id);
  return new Map(readdirSync(dir).filter((name) => name.startsWith(`${id}-json.log`)).map((name) => [name, statSync(join(dir, name)).size]));
}

describe("rotation", () => {
  test("200 MB of output with max-size=10m, max-file=2 leaves at most 20 MiB, and --tail still finds the end", async () => {
    // 200 copies of a 1 MB file of 1,001-byte lines: about 210 MB once wrapped in JSON.
    const script = [
      `head -c 1000 /dev/zero | tr '\\0' x > /tmp/line && echo >> /tmp/line`,
      "for i in $(seq 10); do cat /tmp/line /tmp/line > /tmp/x && mv /tmp/x /tmp/line; done",
      "for i in $(seq 200); do cat /tmp/line; done",
      "echo penultimate; echo final",
    ].join("; ");
    const id = await runDetached("--log-opt", "max-size=10m", "--log-opt", "max-file=2", "base", "sh", "-c", script);
    expect((await daemon.bunker("wait", id)).stdout).toBe("0\n");
    const files = logFiles(id);
    expect([...files.keys()].sort()).toEqual([`${id}-json.log`, `${id}-json.log.1`]);
    const total = [...files.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(2 * 10 * 1024 * 1024);
    expect(total).toBeGreaterThan(10 * 1024 * 1024);
    const tail = await daemon.bunker("logs", "--tail", "2", id);
    expect(tail).toMatchObject({ code: 0, stdout: "penultimate\nfinal\n" });
    const inspect = JSON.parse((await daemon.bunker("inspect", id)).stdout)[0];
    expect(inspect.HostConfig.LogConfig.Config).toEqual({ "max-size": "10m", "max-file": "2" });
  }, 120_000);

  test("logs reads across rotated files in order, and logs -f keeps following through rotations", async () => {
    // Ten bursts of 300 numbered lines, each burst about one 50 KiB file's worth.
    const script = `for b in 1 2 3 4 5 6 7 8 9 10; do for i in $(seq 1 300); do echo "$b-$i ${"p".repeat(100)}"; done; sleep 0.3; done`;
    const id = await runDetached("--log-opt", "max-size=50k", "--log-opt", "max-file=100", "base", "sh", "-c", script);
    const followed = await daemon.bunker("logs", "-f", id);
    expect(followed.code).toBe(0);
    const expected = Array.from({ length: 3000 }, (_, n) => `${Math.floor(n / 300) + 1}-${(n % 300) + 1} ${"p".repeat(100)}`);
    expect(followed.stdout.split("\n").slice(0, -1)).toEqual(expected);
    expect(logFiles(id).size).toBeGreaterThan(5);
    expect((await daemon.bunker("logs", id)).stdout.split("\n").slice(0, -1)).toEqual(expected);
  }, 60_000);

  test("an unknown or invalid log option is refused at create", async () => {
    expect((await daemon.bunker("create", "--log-opt", "max-size=lots", "base", "true")).stderr).toContain("invalid size: 'lots'");
    expect((await daemon.bunker("create", "--log-opt", "max-file=0", "base", "true")).stderr).toContain("max-file cannot be less than 1");
    expect((await daemon.bunker("create", "--log-opt", "colour=blue", "base", "true")).stderr).toContain("unknown log opt 'colour'");
  });
});

describe("logs options", () => {
  test("logs -f follows a worker live and ends when it exits", async () => {
    const id = await runDetached("base", "sh", "-c", "for i in 1 2 3 4; do echo n$i; sleep 0.3; done");
    const started = Date.now();
    const followed = await daemon.bunker("logs", "-f", id);
    expect(followed).toMatchObject({ code: 0, stdout: "n1\nn2\nn3\nn4\n" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
  });

  test("logs -f --tail 1 starts from the last line, then follows", async () => {
    const id = await runDetached("base", "sh", "-c", "echo a; echo b; sleep 1; echo c");
    await Bun.sleep(300);
    expect(await daemon.bunker("logs", "-f", "--tail", "1", id)).toMatchObject({ code: 0, stdout: "b\nc\n" });
  });

  test("--tail 2 prints the last two lines; -n 0 none", async () => {
    const id = await runDetached("base", "sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done");
    await daemon.bunker("wait", id);
    expect((await daemon.bunker("logs", "--tail", "2", id)).stdout).toBe("line4\nline5\n");
    expect((await daemon.bunker("logs", "-n", "0", id)).stdout).toBe("");
  });

  test("-t prefixes each line with its RFC 3339 time", async () => {
    const id = await runDetached("base", "sh", "-c", "echo one; echo two >&2");
    await daemon.bunker("wait", id);
    const r = await daemon.bunker("logs", "-t", id);
    const stamp = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{9}Z";
    expect(r.stdout).toMatch(new RegExp(`^${stamp} one\n$`));
    expect(r.stderr).toMatch(new RegExp(`^${stamp} two\n$`));
    const time = Date.parse(r.stdout.split(" ")[0]);
    expect(Math.abs(Date.now() - time)).toBeLessThan(60_000);
  });

  test("--since takes unix seconds, RFC 3339 and relative durations", async () => {
    const id = await runDetached("base", "sh", "-c", "echo early; sleep 3; echo late");
    await daemon.bunker("wait", id);
    const lateAt = Date.parse((await daemon.bunker("logs", "-t", "--tail", "1", id)).stdout.split(" ")[0]);
    const rfc3339 = new Date(lateAt - 1000).toISOString();
    expect((await daemon.bunker("logs", "--since", rfc3339, id)).stdout).toBe("late\n");
    expect((await daemon.bunker("logs", "--since", String(Math.floor(lateAt / 1000) - 1), id)).stdout).toBe("late\n");
    expect((await daemon.bunker("logs", "--since", "2s", id)).stdout).toBe("late\n");
    expect((await daemon.bunker("logs", "--since", "1m", id)).stdout).toBe("early\nlate\n");
    const bad = await daemon.bunker("logs", "--since", "yesterday", id);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('invalid value for "since"');
  });

  test("logs -f stops when the client goes away, leaving the daemon serving", async () => {
    const id = await runDetached("base", "sh", "-c", "while true; do echo tick; sleep 0.2; done");
    const follower = Bun.spawn([BIN, "-H", daemon.host, "logs", "-f", id], { stdout: "pipe", stderr: "pipe" });
    await Bun.sleep(700);
    follower.kill(9);
    await follower.exited;
    expect((await daemon.bunker("logs", "--tail", "1", id)).stdout).toBe("tick\n");
    await daemon.bunker("rm", "-f", id);
  });
});
