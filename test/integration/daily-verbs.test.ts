/** The daily container verbs of issue 12: rename, container prune (with filters), logs --until, container ls. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ok, TestDaemon } from "./harness.ts";

let daemon: TestDaemon;

beforeAll(async () => {
  daemon = await TestDaemon.withBase("daily-verbs");
}, 60_000);
afterAll(async () => {
  await daemon?.cleanup();
});

describe("rename", () => {
  test("a new name for a container, its event with the old one; a taken or same name refused with Docker's words", async () => {
    const since = String(Date.now() / 1000);
    await ok(daemon.bunker("create", "--name", "before", "base", "true"));
    await ok(daemon.bunker("create", "--name", "other", "base", "true"));
    await ok(daemon.bunker("rename", "before", "after"));
    expect((await ok(daemon.bunker("inspect", "-f", "{{.Name}}", "after"))).trim()).toBe("/after");
    expect((await daemon.bunker("inspect", "before")).code).not.toBe(0);
    const taken = await daemon.docker("rename", "after", "other");
    expect(taken.stderr).toContain('Conflict. The container name "/other" is already in use by container');
    const same = await daemon.bunker("rename", "after", "after");
    expect(same.stderr.trim()).toBe("Error response from daemon: Renaming a container with the same name as its current name");
    const events = await ok(daemon.bunker("events", "--since", since, "--until", String(Date.now() / 1000 + 0.001), "--filter", "event=rename", "--format", "{{.Actor.Attributes.name}} {{.Actor.Attributes.oldName}}"));
    expect(events.trim()).toBe("after /before");
    await ok(daemon.bunker("rm", "after", "other"));
  });
});

describe("container prune", () => {
  test("removes the stopped containers the filters allow, keeps running ones, and prints what Docker prints", async () => {
    const stopped = (await ok(daemon.bunker("run", "-d", "base", "true"))).trim();
    const labelled = (await ok(daemon.bunker("run", "-d", "--label", "keep=yes", "base", "true"))).trim();
    const running = (await ok(daemon.bunker("run", "-d", "base", "sleep", "30"))).trim();
    await ok(daemon.bunker("wait", stopped, labelled));
    // until=24h: only containers made more than a day ago, so none of these.
    expect(await ok(daemon.bunker("container", "prune", "-f", "--filter", "until=24h"))).toBe("Total reclaimed space: 0B\n");
    const pruned = await ok(daemon.bunker("container", "prune", "-f", "--filter", "label!=keep=yes"));
    expect(pruned).toBe(`Deleted Containers:\n${stopped}\n\nTotal reclaimed space: 0B\n`);
    const left = (await ok(daemon.bunker("container", "ls", "-a", "-q", "--no-trunc"))).trim().split("\n").sort();
    expect(left).toEqual([labelled, running].sort());
    const docker = await ok(daemon.docker("container", "prune", "-f"));
    expect(docker).toContain(labelled);
    await ok(daemon.bunker("rm", "-f", running));
  });
});

describe("logs --until", () => {
  test("only what was written before the time given", async () => {
    const id = (await ok(daemon.bunker("run", "-d", "base", "sh", "-c", "echo early; sleep 1.5; echo late"))).trim();
    await ok(daemon.bunker("wait", id));
    const started = Date.parse((await ok(daemon.bunker("inspect", "-f", "{{.State.StartedAt}}", id))).trim());
    const until = new Date(started + 1000).toISOString();
    expect(await ok(daemon.bunker("logs", "--until", until, id))).toBe("early\n");
    expect(await ok(daemon.bunker("logs", id))).toBe("early\nlate\n");
    await ok(daemon.bunker("rm", id));
  });
});

describe("system df, system prune, images --format", () => {
  test("system df prints the same through both CLIs, with a stopped container's layer reclaimable; system prune takes it", async () => {
    const id = (await ok(daemon.bunker("run", "-d", "base", "sh", "-c", "echo data > /f"))).trim();
    await ok(daemon.bunker("wait", id));
    const ours = await ok(daemon.bunker("system", "df"));
    expect(ours).toBe(await ok(daemon.docker("system", "df")));
    expect(ours).toMatch(/^Containers\s+1\s+0\s+5B\s+5B \(100%\)$/m);
    expect(ours).toMatch(/^Images\s+1\s+1\s+/m);
    const pruned = await ok(daemon.bunker("system", "prune", "-f"));
    expect(pruned).toBe(`Deleted Containers:\n${id}\n\nTotal reclaimed space: 5B\n`);
    expect((await ok(daemon.bunker("ps", "-aq"))).trim()).toBe("");
  });

  test("images --format with Docker's fields, and a table", async () => {
    expect(await ok(daemon.bunker("images", "--format", "{{.Repository}}:{{.Tag}}"))).toBe("base:latest\n");
    const table = await ok(daemon.bunker("images", "--format", "table {{.Repository}}\\t{{.Tag}}"));
    expect(table).toBe(await ok(daemon.docker("images", "--format", "table {{.Repository}}\\t{{.Tag}}")));
  });
});
