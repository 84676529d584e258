/**
 * The events stream: a container's life as events with its ID (bunker's CLI and the docker
 * CLI's --format), filters, the past through --since/--until, and a subscriber that never
 * reads: the daemon drops it and its memory stays where it was.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { readFileSync } from "node:fs";
import { eventually, ok, TestDaemon } from "./harness.ts";

let daemon: TestDaemon;

beforeAll(async () => {
  daemon = await TestDaemon.withBase("events");
}, 60_000);
afterAll(async () => {
  await daemon?.cleanup();
});

const rssKb = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${daemon.pid}/status`, "utf8"))![1]);
const listeners = async () => ((await (await daemon.api("/info")).json()) as { NEventsListener: number }).NEventsListener;

describe("a container's events", () => {
  test("events --since/--until show create, start, die and destroy with its ID and attributes", async () => {
    const since = String(Date.now() / 1000);
    const id = (await daemon.bunkerOk("run", "-d", "--name", "ev1", "--label", "team=a", "base", "sh", "-c", "exit 3")).trim();
    await ok(daemon.bunker("wait", id));
    await ok(daemon.bunker("rm", id));
    const until = String(Date.now() / 1000 + 0.001);
    const lines = (await daemon.bunkerOk("events", "--since", since, "--until", until)).trim().split("\n");
    const actions = lines.filter((line) => line.includes(id)).map((line) => line.split(" ")[2]);
    for (const action of ["create", "start", "die", "destroy"]) expect(actions).toContain(action);
    expect(actions.indexOf("create")).toBeLessThan(actions.indexOf("start"));
    expect(actions.indexOf("die")).toBeLessThan(actions.indexOf("destroy"));
    expect(lines.find((line) => line.includes(" die "))).toMatch(new RegExp(`^\\S+Z container die ${id} \\(exitCode=3, image=base, name=ev1, team=a\\)$`));
  });

  test("docker events --filter event=die --format '{{.Status}} {{.ID}}' prints die <id>, live", async () => {
    const events = Bun.spawn(["docker", "events", "--filter", "event=die", "--format", "{{.Status}} {{.ID}}"], {
      env: { ...process.env, DOCKER_HOST: daemon.host },
      stdout: "pipe",
    });
    try {
      await eventually(async () => (await listeners()) === 1);
      const id = (await daemon.bunkerOk("run", "-d", "base", "true")).trim();
      // The line may come in more than one read of the pipe: read up to its end.
      const reader = events.stdout.getReader();
      let line = "";
      while (!line.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        line += new TextDecoder().decode(value);
      }
      expect(line.trim()).toBe(`die ${id}`);
      await ok(daemon.bunker("rm", id));
    } finally {
      events.kill();
    }
  });

  test("filters: container by name, type, label; exec and pause events", async () => {
    const since = String(Date.now() / 1000);
    await ok(daemon.bunker("run", "-d", "--name", "ev2", "--label", "team=b", "base", "sleep", "30"));
    await ok(daemon.bunker("exec", "ev2", "true"));
    await ok(daemon.bunker("pause", "ev2"));
    await ok(daemon.bunker("unpause", "ev2"));
    await ok(daemon.bunker("tag", "base", "tagged:1"));
    await ok(daemon.bunker("rm", "-f", "ev2"));
    const until = String(Date.now() / 1000 + 0.001);
    const query = async (...filters: string[]) =>
      (await daemon.bunkerOk("events", "--since", since, "--until", until, ...filters.flatMap((f) => ["--filter", f]), "--format", "{{.Type}} {{.Action}}")).trim().split("\n");
    expect(await query("container=ev2", "event=exec_create", "event=exec_start", "event=exec_die", "event=pause", "event=unpause")).toEqual([
      "container exec_create: true",
      "container exec_start: true",
      "container exec_die",
      "container pause",
      "container unpause",
    ]);
    expect(await query("type=image")).toEqual(["image tag"]);
    expect((await query("label=team=b")).length).toBeGreaterThan(5);
    expect(await query("label=team=nobody")).toEqual([""]);
    const bad = await daemon.bunker("events", "--filter", "colour=red", "--until", until);
    expect(bad.stderr).toContain("invalid filter 'colour'");
  });
});

describe("volumes and copies", () => {
  test("a volume's create, mount, unmount and destroy; cp's archive-path and extract-to-dir", async () => {
    const since = String(Date.now() / 1000);
    await ok(daemon.bunker("run", "--rm", "-v", "/data", "base", "true"));
    const id = (await daemon.bunkerOk("create", "base", "true")).trim();
    await ok(daemon.bunker("cp", `${id}:/etc/hostname`, "-"));
    await ok(daemon.bunker("rm", id));
    const until = String(Date.now() / 1000 + 0.001);
    const query = async (filter: string) =>
      (await daemon.bunkerOk("events", "--since", since, "--until", until, "--filter", filter, "--format", "{{.Type}} {{.Action}}")).trim().split("\n");
    expect(await query("type=volume")).toEqual(["volume create", "volume mount", "volume unmount", "volume destroy"]);
    expect(await query("event=archive-path")).toEqual(["container archive-path"]);
  });
});

describe("a subscriber that never reads", () => {
  test("thousands of events later it is dropped, and the daemon's memory is within 10 MB of where it was", async () => {
    const flood = async () => {
      for (let i = 0; i < 1500; i++) {
        const tag = await daemon.api(`/images/base/tag?repo=flood&tag=t${i % 50}`, { method: "POST" });
        expect(tag.status).toBe(201);
      }
    };
    // The same requests without the subscriber, until the heap has settled: the baseline.
    await flood();
    await flood();
    const baseline = rssKb();
    // A raw connection that sends the request and never reads a byte of the answer.
    const socket = connect({ path: daemon.socket });
    socket.pause();
    socket.write("GET /events HTTP/1.1\r\nHost: localhost\r\n\r\n");
    await eventually(async () => (await listeners()) === 1);
    await flood();
    await eventually(async () => (await listeners()) === 0, 20_000);
    expect(rssKb() - baseline).toBeLessThan(10 * 1024);
    socket.destroy();
    for (let i = 0; i < 50; i++) await daemon.api(`/images/flood:t${i}`, { method: "DELETE" });
  }, 60_000);
});
