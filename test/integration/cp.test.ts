/**
 * cp out of and into running and stopped containers, the archive endpoint's wire format, and
 * the escape attempts: a container whose /etc is a symlink to "/" or to "../../.." must not
 * make cp read or write the host's files. Also `top`, which needs a running container too.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { eventually, TestDaemon } from "./harness.ts";

let daemon: TestDaemon;
let work: string;
beforeAll(async () => {
  daemon = await TestDaemon.withBase("cp");
  work = join(daemon.dir, "work");
  mkdirSync(work);
});
afterAll(async () => {
  await daemon.cleanup();
});

async function runDetached(...command: string[]): Promise<string> {
  const r = await daemon.bunker("run", "-d", "base", ...command);
  expect(r.code).toBe(0);
  return r.stdout.trim();
}

/** A container that ran `script` and exited 0. */
async function stoppedAfter(script: string): Promise<string> {
  const id = await runDetached("sh", "-c", script);
  expect((await daemon.bunker("wait", id)).stdout).toBe("0\n");
  return id;
}

/** Its output once it has run again (a stopped container's files as it sees them). */
async function startAndLog(id: string): Promise<string> {
  expect((await daemon.bunker("start", id)).code).toBe(0);
  await daemon.bunker("wait", id);
  return (await daemon.bunker("logs", id)).stdout;
}

describe("cp with a running container", () => {
  let id: string;
  beforeAll(async () => {
    id = await runDetached("sh", "-c", "mkdir -p /data/sub && echo inside > /data/sub/file && ln -s sub/file /data/link && echo ready > /ready && sleep 1000");
    await eventually(async () => (await daemon.api(`/containers/${id}/archive?path=/ready`, { method: "HEAD" })).status === 200);
  });

  test("a file out, under a new name", async () => {
    const out = join(work, "running-file");
    const r = await daemon.bunker("cp", `${id}:/data/sub/file`, out);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(readFileSync(out, "utf8")).toBe("inside\n");
  });

  test("a directory out, into an existing directory, the symlink kept as a symlink", async () => {
    const into = join(work, "running-dir");
    mkdirSync(into);
    expect((await daemon.bunker("cp", `${id}:/data`, into)).code).toBe(0);
    expect(readFileSync(join(into, "data/sub/file"), "utf8")).toBe("inside\n");
    expect(Bun.spawnSync(["readlink", join(into, "data/link")]).stdout.toString()).toBe("sub/file\n");
  });

  test("a file in; the container sees it while it runs", async () => {
    const source = join(work, "upload.txt");
    writeFileSync(source, "uploaded\n");
    expect((await daemon.bunker("cp", source, `${id}:/data/`)).code).toBe(0);
    expect((await daemon.bunker("cp", source, `${id}:/data/renamed.txt`)).code).toBe(0);
    const out = join(work, "back");
    mkdirSync(out);
    expect((await daemon.bunker("cp", `${id}:/data`, out)).code).toBe(0);
    expect(readFileSync(join(out, "data/upload.txt"), "utf8")).toBe("uploaded\n");
    expect(readFileSync(join(out, "data/renamed.txt"), "utf8")).toBe("uploaded\n");
  });

  test("the container runs again after the copy (it was frozen only meanwhile)", async () => {
    const state = readFileSync(`/sys/fs/cgroup/freezer/bunker/${id}/freezer.state`, "utf8").trim();
    expect(state).toBe("THAWED");
  });

  test("GET and HEAD carry the path stat; a missing path is docker's 404", async () => {
    const head = await daemon.api(`/containers/${id}/archive?path=/data`, { method: "HEAD" });
    expect(head.status).toBe(200);
    const stat = JSON.parse(Buffer.from(head.headers.get("X-Docker-Container-Path-Stat")!, "base64").toString());
    expect(stat).toMatchObject({ name: "data", mode: 2 ** 31 + 0o755, linkTarget: "" });
    const link = await daemon.api(`/containers/${id}/archive?path=/data/link`, { method: "HEAD" });
    const linkStat = JSON.parse(Buffer.from(link.headers.get("X-Docker-Container-Path-Stat")!, "base64").toString());
    expect(linkStat).toMatchObject({ name: "link", linkTarget: "/data/sub/file" });
    expect(linkStat.mode & 2 ** 27).toBeTruthy();
    const get = await daemon.api(`/containers/${id}/archive?path=/data/sub/file`);
    expect(get.headers.get("Content-Type")).toBe("application/x-tar");
    const tar = Buffer.from(await get.arrayBuffer());
    expect(tar.subarray(0, 4).toString()).toBe("file");
    const missing = await daemon.api(`/containers/${id}/archive?path=/nonexist`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: `Could not find the file /nonexist in container ${id}` });
  });

  test("top lists its processes; ps options pass through", async () => {
    const r = await daemon.bunker("top", id);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD\n/);
    expect(r.stdout).toContain("sleep 1000");
    expect(r.stdout).not.toContain("bunker daemon");
    const aux = (await (await daemon.api(`/containers/${id}/top?ps_args=aux`)).json()) as { Titles: string[]; Processes: string[][] };
    expect(aux.Titles).toEqual(["USER", "PID", "%CPU", "%MEM", "VSZ", "RSS", "TTY", "STAT", "START", "TIME", "COMMAND"]);
    expect(aux.Processes.map((p) => p.at(-1))).toContain("sleep 1000");
  });

  test("tar on stdout with -", async () => {
    const r = await daemon.bunker("cp", `${id}:/ready`, "-");
    expect(r.code).toBe(0);
    expect(r.stdout.slice(0, 5)).toBe("ready");
    expect(r.stdout).toContain("ready\n");
  });
});

describe("cp with a stopped container", () => {
  test("out and in; the next run sees the file, and the old ones", async () => {
    const id = await stoppedAfter("echo before > /before; cat /incoming 2>/dev/null || echo none");
    const out = join(work, "stopped-before");
    expect((await daemon.bunker("cp", `${id}:/before`, out)).code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe("before\n");
    const source = join(work, "incoming");
    writeFileSync(source, "arrived\n");
    expect((await daemon.bunker("cp", source, `${id}:/incoming`)).code).toBe(0);
    expect(await startAndLog(id)).toBe("none\narrived\n");
  });

  test("a container never started can be copied into", async () => {
    const created = await daemon.bunker("create", "base", "cat", "/seed");
    const id = created.stdout.trim();
    const source = join(work, "seed");
    writeFileSync(source, "seeded\n");
    expect((await daemon.bunker("cp", source, `${id}:/seed`)).code).toBe(0);
    expect(await startAndLog(id)).toBe("seeded\n");
  });

  test("a file the container deleted from its image stays gone (overlay whiteouts honoured)", async () => {
    const id = await stoppedAfter("rm /bin/true; ls /bin/true 2>&1 || true");
    const missing = await daemon.api(`/containers/${id}/archive?path=/bin/true`, { method: "HEAD" });
    expect(missing.status).toBe(404);
  });

  test("nothing stays mounted, and a start works right after", async () => {
    const id = await stoppedAfter("echo x > /x");
    expect((await daemon.bunker("cp", `${id}:/x`, join(work, "x"))).code).toBe(0);
    const mounts = readFileSync("/proc/self/mountinfo", "utf8");
    expect(mounts).not.toContain(id);
    expect(await startAndLog(id)).toBe("");
  });
});

describe("cp cannot escape through the container's symlinks", () => {
  const hostPasswd = readFileSync("/etc/passwd", "utf8");

  /** The busybox rootfs with /etc replaced by a symlink to `target`, imported as an image. */
  async function imageWithEtcLink(target: string, name: string): Promise<void> {
    const tree = join(work, `${name}-tree`);
    mkdirSync(tree);
    const sh = (script: string) => expect(Bun.spawnSync(["sh", "-c", script]).exitCode).toBe(0);
    sh(`tar -C ${tree} -xf ${join(daemon.dir, "busybox.tar")} && rm -rf ${tree}/etc && ln -s ${target} ${tree}/etc`);
    sh(`tar -C ${tree} -cf ${tree}.tar .`);
    expect((await daemon.bunker("import", `${tree}.tar`, name)).code).toBe(0);
  }

  for (const [target, image] of [["/", "etc-to-root"], ["../../..", "etc-climbs"]]) {
    for (const running of [false, true]) {
      test(`/etc -> ${target}, ${running ? "running" : "stopped"}`, async () => {
        if (!running) await imageWithEtcLink(target, image);
        const script = `echo container-root > /passwd && touch /ready${running ? " && sleep 1000" : ""}`;
        const id = (await daemon.bunker("run", "-d", image, "sh", "-c", script)).stdout.trim();
        if (running) await eventually(async () => (await daemon.api(`/containers/${id}/archive?path=/ready`, { method: "HEAD" })).status === 200);
        else expect((await daemon.bunker("wait", id)).stdout).toBe("0\n");

        const out = join(work, `passwd-${randomBytes(4).toString("hex")}`);
        const read = await daemon.bunker("cp", `${id}:/etc/passwd`, out);
        expect(read.code).toBe(0);
        // The container's "/passwd", reached through its own root: never the host's file.
        expect(readFileSync(out, "utf8")).toBe("container-root\n");
        expect(readFileSync(out, "utf8")).not.toBe(hostPasswd);

        const name = `bunker-escape-${randomBytes(6).toString("hex")}`;
        const source = join(work, name);
        writeFileSync(source, "escaped?\n");
        expect((await daemon.bunker("cp", source, `${id}:/etc/${name}`)).code).toBe(0);
        expect(existsSync(`/${name}`)).toBe(false);
        const back = join(work, `${name}.back`);
        expect((await daemon.bunker("cp", `${id}:/${name}`, back)).code).toBe(0);
        expect(readFileSync(back, "utf8")).toBe("escaped?\n");

        // A tar that itself climbs out lands inside the container too.
        const climb = await daemon.api(`/containers/${id}/archive?path=/etc&noOverwriteDirNonDir=true`, { method: "PUT", body: tarOf(`../../../../${name}-tar`, "climbed\n") });
        expect(climb.status).toBe(200);
        expect(existsSync(`/${name}-tar`)).toBe(false);
        const climbed = join(work, `${name}-tar.back`);
        expect((await daemon.bunker("cp", `${id}:/${name}-tar`, climbed)).code).toBe(0);
        expect(readFileSync(climbed, "utf8")).toBe("climbed\n");
        if (running) await daemon.bunker("rm", "-f", id);
      });
    }
  }
});

describe("cp through the docker CLI", () => {
  test("docker cp both ways, running and stopped", async () => {
    const id = await runDetached("sh", "-c", "echo from-container > /out.txt && sleep 1000");
    await eventually(async () => (await daemon.api(`/containers/${id}/archive?path=/out.txt`, { method: "HEAD" })).status === 200);
    const out = join(work, "docker-out.txt");
    expect(await daemon.docker("cp", `${id}:/out.txt`, out)).toMatchObject({ code: 0 });
    expect(readFileSync(out, "utf8")).toBe("from-container\n");
    const dir = join(work, "docker-dir");
    mkdirSync(dir);
    writeFileSync(join(dir, "a"), "A\n");
    expect(await daemon.docker("cp", dir, `${id}:/tmp/`)).toMatchObject({ code: 0 });
    expect(await daemon.docker("cp", join(dir, "a"), `${id}:/tmp/b`)).toMatchObject({ code: 0 });
    await daemon.bunker("stop", "-t", "0", id);
    const back = join(work, "docker-back");
    expect(await daemon.docker("cp", `${id}:/tmp`, back)).toMatchObject({ code: 0 });
    expect(readFileSync(join(back, "docker-dir/a"), "utf8")).toBe("A\n");
    expect(readFileSync(join(back, "b"), "utf8")).toBe("A\n");
    const top = await daemon.docker("top", id);
    expect(top.code).not.toBe(0);
    expect(top.stderr).toContain("is not running");
  });

  test("docker top", async () => {
    const id = await runDetached("sleep", "1001");
    const r = await daemon.docker("top", id);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD\n.*sleep 1001\n$/s);
    await daemon.bunker("rm", "-f", id);
  });
});

/** A one-file tar, built by hand so the name can be anything (even one that climbs). */
function tarOf(name: string, content: string): Uint8Array {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write("0000644\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(`${content.length.toString(8).padStart(11, "0")}\0`, 124);
  header.write("00000000000\0", 136);
  header.write("        ", 148);
  header.write("0", 156);
  header.write("ustar\x0000", 257);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  const body = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  body.write(content);
  return Buffer.concat([header, body, Buffer.alloc(1024)]);
}
