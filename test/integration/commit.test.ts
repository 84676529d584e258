/**
 * diff, commit, history, tags and rmi on real containers: a container's changes (an opaque
 * directory among them) are listed exactly, committed, seen by a container of the new image,
 * and built on again; tag lookups prefer tags to ID prefixes; rmi keeps what others need; an
 * image 120 layers deep runs.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { TestDaemon } from "./harness.ts";

let daemon: TestDaemon;

beforeAll(async () => {
  daemon = await TestDaemon.withBase("commit");
});
afterAll(async () => {
  await daemon?.cleanup();
});

async function imageId(ref: string): Promise<string> {
  const response = await daemon.api(`/images/${ref}/json`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { Id: string }).Id;
}

/** A container from `image` that runs `script` to its end, through the API (faster than the CLI). */
async function ranContainer(image: string, script: string): Promise<string> {
  const created = await daemon.api("/containers/create", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ Image: image, Cmd: ["sh", "-c", script] }),
  });
  const { Id } = (await created.json()) as { Id: string };
  const started = await daemon.api(`/containers/${Id}/start`, { method: "POST" });
  if (started.status !== 204) throw new Error(`start: ${started.status} ${await started.text()}`);
  const { StatusCode } = (await (await daemon.api(`/containers/${Id}/wait`, { method: "POST" })).json()) as { StatusCode: number };
  expect(StatusCode).toBe(0);
  return Id;
}

const CHANGES = [
  "rm /bin/ls",
  // /data existed in the image: deleting and making it again leaves it opaque in the upper dir.
  "rm -rf /data && mkdir /data && echo x > /data/a && echo n > /data/new",
  "mkdir -p /root/a/b && chmod 700 /root && mknod /root/fifo p && ln -s /x /root/sl",
  "echo hi >> /etc/passwd",
].join(" && ");

describe("diff and commit", () => {
  test("diff lists exactly the changes, an opaque directory's deletions included", async () => {
    await daemon.bunkerOk("run", "--name", "seed", "base", "sh", "-c", "mkdir -p /data/sub && echo a > /data/a && echo b > /data/b && echo c > /data/sub/c");
    await daemon.bunkerOk("commit", "-m", "data", "seed", "withdata:1");
    await daemon.bunkerOk("run", "--name", "changer", "withdata:1", "sh", "-c", CHANGES);
    // Bunker's own mount points (/etc/hostname, /etc/hosts, /etc/resolv.conf) are not changes.
    expect(await daemon.bunkerOk("diff", "changer")).toBe(
      [
        "C /bin",
        "D /bin/ls",
        "C /data",
        "C /data/a",
        "A /data/new",
        "D /data/b",
        "D /data/sub",
        "C /etc",
        "C /etc/passwd",
        "C /root",
        "A /root/a",
        "A /root/a/b",
        "A /root/fifo",
        "A /root/sl",
        "",
      ].join("\n"),
    );
    const api = (await (await daemon.api("/containers/changer/changes")).json()) as { Path: string; Kind: number }[];
    expect(api.slice(0, 2)).toEqual([
      { Path: "/bin", Kind: 0 },
      { Path: "/bin/ls", Kind: 2 },
    ]);
    expect(api).toContainEqual({ Path: "/data/new", Kind: 1 });
  });

  test("a container of the committed image sees the same filesystem, with the changes to its config", async () => {
    const id = (await daemon.bunkerOk("commit", "-m", "second", "-a", "tester", "-c", "ENV FOO=bar", "-c", 'CMD ["cat", "/data/a"]', "changer", "changed")).trim();
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await daemon.bunkerOk("run", "--rm", "changed")).toBe("x\n");
    const seen = await daemon.bunkerOk(
      "run", "--rm", "changed", "sh", "-c",
      "ls /data; stat -c '%A %N' /root /root/fifo /root/sl; tail -1 /etc/passwd; test -e /bin/ls || echo no-ls; echo $FOO; cat /etc/hostname | wc -c",
    );
    expect(seen).toBe(
      ["a", "new", "drwx------ /root", "prw-r--r-- /root/fifo", "lrwxrwxrwx '/root/sl' -> '/x'", "hi", "no-ls", "bar", "13", ""].join("\n"),
    );
    const inspect = (await (await daemon.api("/images/changed/json")).json()) as Record<string, unknown> & { Config: { Env: string[]; Cmd: string[] } };
    expect(inspect.Author).toBe("tester");
    expect(inspect.Comment).toBe("second");
    expect(inspect.Parent).toBe(await imageId("withdata:1"));
    expect(inspect.Config.Cmd).toEqual(["cat", "/data/a"]);
    expect(inspect.Config.Env).toContain("FOO=bar");
    expect(inspect.Config.Env.some((entry) => entry.startsWith("HOSTNAME="))).toBe(false);
  });

  test("history shows every layer, newest first, with the commit messages", async () => {
    const history = await daemon.bunkerOk("history", "changed");
    const lines = history.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^[0-9a-f]{12}\s+.+ ago\s+sh -c rm \/bin\/ls && rm -rf \/data && mkdir \/d…\s+\d+B\s+second$/);
    expect(lines[2]).toMatch(/^[0-9a-f]{12}\s+.+ ago\s+sh -c mkdir -p \/data\/sub .+\s+6B\s+data$/);
    expect(lines[3]).toMatch(/^[0-9a-f]{12}\s+.+ ago\s+\S+MB\s+Imported from -$/);
    const quiet = (await daemon.bunkerOk("history", "-q", "--no-trunc", "changed")).trim().split("\n");
    expect(quiet).toEqual([await imageId("changed"), await imageId("withdata:1"), await imageId("base")]);
    expect(await daemon.bunkerOk("history", "--no-trunc", "changed")).toContain(`sh -c ${CHANGES}`);
  });

  test("a committed image is committed again on top", async () => {
    const id = await ranContainer("changed", "echo third > /third && rm /data/new");
    const out = await daemon.api(`/commit?container=${id}&repo=docker.io/library/third&tag=v1&comment=again`, { method: "POST" });
    expect(out.status).toBe(201);
    const { Id } = (await out.json()) as { Id: string };
    expect(await imageId("third:v1")).toBe(Id);
    expect(await daemon.bunkerOk("run", "--rm", "third:v1", "sh", "-c", "cat /third /data/a; ls /data")).toBe("third\nx\na\n");
    expect((await daemon.bunkerOk("history", "-q", "third:v1")).trim().split("\n")).toHaveLength(4);
    await daemon.bunkerOk("rm", id);
  });

  test("commit pauses a running container and thaws it after", async () => {
    const run = await daemon.bunkerOk("run", "-d", "base", "sh", "-c", "echo live > /live; while true; do sleep 0.1; done");
    const id = run.trim();
    await Bun.sleep(300);
    await daemon.bunkerOk("commit", id, "live");
    const state = (await (await daemon.api(`/containers/${id}/json`)).json()) as { State: { Status: string } };
    expect(state.State.Status).toBe("running");
    const freezer = `/sys/fs/cgroup/freezer/bunker/${id}/freezer.state`;
    if (await Bun.file(freezer).exists()) expect((await Bun.file(freezer).text()).trim()).toBe("THAWED");
    expect(await daemon.bunkerOk("run", "--rm", "live", "cat", "/live")).toBe("live\n");
    await daemon.bunkerOk("rm", "-f", id);
  });

  test("2013's commit --run config goes over the container's", async () => {
    const id = await ranContainer("base", "echo r > /r");
    await daemon.bunkerOk("commit", "--run", '{"Cmd": ["cat", "/r"], "Env": ["X=1"]}', id, "withrun");
    expect(await daemon.bunkerOk("run", "--rm", "withrun")).toBe("r\n");
    expect(await daemon.bunkerOk("run", "--rm", "withrun", "sh", "-c", "echo $X")).toBe("1\n");
  });
});

describe("tags and rmi", () => {
  test("an exact tag wins over an image ID that starts with the same characters", async () => {
    const prefixed = await imageId("withdata:1");
    const digit = prefixed.slice("sha256:".length, "sha256:".length + 1);
    await daemon.bunkerOk("tag", "changed", `foo/bar:${digit}`);
    // The 2013 form: tag IMAGE REPOSITORY TAG.
    await daemon.bunkerOk("tag", `foo/bar:${digit}`, "foo/bar", "latest");
    expect(await imageId("foo/bar:latest")).toBe(await imageId("changed"));
    // A repository named like an ID prefix: its tag is what the name means.
    await daemon.bunkerOk("tag", "-f", "changed", digit);
    expect(await imageId(digit)).toBe(await imageId("changed"));
    expect(await daemon.bunkerOk("rmi", "foo/bar", `foo/bar:${digit}`, digit)).toBe(`Untagged: foo/bar:latest\nUntagged: foo/bar:${digit}\nUntagged: ${digit}:latest\n`);
  });

  test("rmi refuses an image a container uses, with a clear message", async () => {
    const user = await ranContainer("changed", "true");
    const byTag = await daemon.bunker("rmi", "changed");
    expect(byTag.code).toBe(1);
    expect(byTag.stderr).toMatch(/conflict: unable to remove repository reference "changed" \(must force\) - container [0-9a-f]{12} is using its referenced image [0-9a-f]{12}/);
    const byId = await daemon.bunker("rmi", (await imageId("withdata:1")).slice(7, 19));
    expect(byId.code).toBe(1);
    expect(byId.stderr).toMatch(/conflict: unable to delete [0-9a-f]{12} \(must be forced\) - image is being used by container [0-9a-f]{12}/);
    expect(await imageId("changed")).toMatch(/^sha256:/);
    await daemon.bunkerOk("rm", user);
  });

  test("deleting a parent's last tag keeps what its child needs; the child's rmi takes both", async () => {
    const parent = await imageId("withdata:1");
    const child = await imageId("changed");
    for (const name of ["seed", "changer"]) await daemon.bunkerOk("rm", name);
    // The parent is now untagged and hidden, but its layers stay for its child.
    expect(await daemon.bunkerOk("rmi", "withdata:1")).toBe("Untagged: withdata:1\n");
    expect(await daemon.bunkerOk("images", "-q", "--no-trunc")).not.toContain(parent);
    expect(await daemon.bunkerOk("images", "-a", "-q", "--no-trunc")).toContain(parent);
    const byId = await daemon.bunker("rmi", parent.slice(7, 19));
    expect(byId.stderr).toContain("(cannot be forced) - image has dependent child images");
    expect(await daemon.bunkerOk("run", "--rm", "changed", "cat", "/data/a")).toBe("x\n");

    // third:v1 is built on changed: remove the child first, then changed takes its parent too.
    await daemon.bunkerOk("rmi", "third:v1");
    const layersBefore = readdirSync(join(daemon.root, "layers")).length;
    const removed = (await daemon.bunkerOk("rmi", "changed")).trim().split("\n");
    expect(removed[0]).toBe("Untagged: changed:latest");
    expect(removed).toContain(`Deleted: ${child}`);
    expect(removed).toContain(`Deleted: ${parent}`);
    expect(readdirSync(join(daemon.root, "layers")).length).toBe(layersBefore - 2);
    expect(await daemon.bunkerOk("run", "--rm", "base", "echo", "base still runs")).toBe("base still runs\n");
  });

  test("images --filter dangling=true and image prune", async () => {
    const id = await ranContainer("base", "dd if=/dev/zero of=/blob bs=1000 count=100 2>/dev/null");
    const dangling = (await (await daemon.api(`/commit?container=${id}`, { method: "POST" })).json()) as { Id: string };
    await daemon.bunkerOk("rm", id);
    const layer = ((await (await daemon.api(`/images/${dangling.Id}/json`)).json()) as { RootFS: { Layers: string[] } }).RootFS.Layers.at(-1);
    expect(await daemon.bunkerOk("images", "--filter", "dangling=true", "-q", "--no-trunc")).toBe(`${dangling.Id}\n`);
    expect(await daemon.bunkerOk("images", "-f", "dangling=false", "-q", "--no-trunc")).not.toContain(dangling.Id);
    expect(await daemon.bunkerOk("image", "prune", "-f")).toBe(`Deleted Images:\ndeleted: ${dangling.Id}\ndeleted: ${layer}\n\nTotal reclaimed space: 100kB\n`);
    expect(await daemon.bunkerOk("image", "prune", "-f")).toBe("Total reclaimed space: 0B\n");
  });
});

describe("layer depth", () => {
  test("an image 120 layers deep mounts and runs", async () => {
    let image = "base";
    for (let i = 1; i <= 120; i++) {
      const id = await ranContainer(image, `echo ${i} > /depth`);
      const committed = (await (await daemon.api(`/commit?container=${id}&pause=0`, { method: "POST" })).json()) as { Id: string };
      await daemon.api(`/containers/${id}`, { method: "DELETE" });
      image = committed.Id;
    }
    const inspect = (await (await daemon.api(`/images/${image}/json`)).json()) as { RootFS: { Layers: string[] } };
    expect(inspect.RootFS.Layers).toHaveLength(121);
    expect(await daemon.bunkerOk("run", "--rm", image, "cat", "/depth")).toBe("120\n");
    const changes = await daemon.bunkerOk("diff", await ranContainer(image, "rm /depth"));
    expect(changes).toBe("D /depth\n");
  }, 300_000);

  test("two commits that change nothing give an image that still mounts", async () => {
    let image = "base";
    for (let i = 0; i < 2; i++) {
      const created = await daemon.api("/containers/create", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ Image: image, Cmd: ["true"] }),
      });
      const { Id } = (await created.json()) as { Id: string };
      image = ((await (await daemon.api(`/commit?container=${Id}`, { method: "POST" })).json()) as { Id: string }).Id;
    }
    expect(await daemon.bunkerOk("run", "--rm", image, "echo", "empty layers")).toBe("empty layers\n");
  });
});

describe("docker CLI", () => {
  test("docker diff, commit and history", async () => {
    const id = await ranContainer("base", "mkdir /newdir && echo hi > /tmp/newfile");
    expect((await daemon.docker("diff", id)).stdout).toBe("A /newdir\nC /tmp\nA /tmp/newfile\n");
    const commit = await daemon.docker("commit", "-m", "via docker", "-c", "ENV D=1", id, "dockerimg:v1");
    expect(commit.code).toBe(0);
    expect(commit.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const history = await daemon.docker("history", "dockerimg:v1");
    expect(history.stdout).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT\n[0-9a-f]{12}\s+.+ ago\s+sh -c mkdir \/newdir && echo hi > \/tmp\/newfile\s+3B\s+via docker\n/);
    expect((await daemon.docker("run", "--rm", "dockerimg:v1", "sh", "-c", "cat /tmp/newfile; echo $D")).stdout).toBe("hi\n1\n");
  });
});
