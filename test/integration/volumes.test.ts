/** Volumes (`-v /path`, image VOLUMEs), binds (`-v /host:/path[:ro]`), `--volumes-from`, and `rm -v`. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { TestDaemon, type Result } from "./harness.ts";

let daemon: TestDaemon;

beforeAll(async () => {
  daemon = await TestDaemon.withBase("volumes");
  await importImage("seeded", ["VOLUME /vol"], (root) => {
    mkdirSync(join(root, "vol/sub"), { recursive: true });
    writeFileSync(join(root, "vol/seed.txt"), "from the image\n");
    chownSync(join(root, "vol/seed.txt"), 1000, 1000);
    chmodSync(join(root, "vol/seed.txt"), 0o640);
    symlinkSync("seed.txt", join(root, "vol/link"));
    chownSync(join(root, "vol"), 1, 1);
    chmodSync(join(root, "vol"), 0o750);
  });
  // A hostile image: its paths point out of the root, absolutely and relatively.
  await importImage("hostile", [], (root) => {
    symlinkSync("/", join(root, "data"));
    symlinkSync("../../../..", join(root, "up"));
  });
});
afterAll(async () => {
  await daemon.cleanup();
});

/** The busybox rootfs plus what `extra` adds, imported as `name` with `changes`. */
async function importImage(name: string, changes: string[], extra: (root: string) => void): Promise<void> {
  const root = join(daemon.dir, `${name}-rootfs`);
  mkdirSync(root);
  expect(Bun.spawnSync(["tar", "-xf", join(daemon.dir, "busybox.tar"), "-C", root]).exitCode).toBe(0);
  extra(root);
  const tarball = join(daemon.dir, `${name}.tar`);
  expect(Bun.spawnSync(["tar", "--numeric-owner", "-C", root, "-cf", tarball, "."]).exitCode).toBe(0);
  const imported = await daemon.bunker("import", ...changes.flatMap((change) => ["-c", change]), tarball, name);
  expect(imported.stderr).toBe("");
}

interface Mount {
  Type: string;
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

async function inspect(ref: string) {
  const response = await daemon.api(`/containers/${ref}/json`);
  expect(response.status).toBe(200);
  return (await response.json()) as {
    Mounts: Mount[];
    Config: { Volumes: Record<string, object> | null };
    HostConfig: { Binds: string[] | null; VolumesFrom: string[] | null };
  };
}

async function mountAt(ref: string, destination: string): Promise<Mount> {
  const mount = (await inspect(ref)).Mounts.find((m) => m.Destination === destination);
  if (!mount) throw new Error(`${ref} has no mount at ${destination}`);
  return mount;
}

function ok(r: Result): Result {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r;
}

function hostScratch(): string {
  return join(daemon.dir, `host-${randomBytes(4).toString("hex")}`);
}

describe("volumes", () => {
  test("-v /data: a new volume under ROOT/volumes that keeps its data across runs; rm keeps it, rm -v removes it", async () => {
    ok(await daemon.bunker("run", "--name", "keeper", "-v", "/data", "base", "sh", "-c", "cat /data/f 2>/dev/null; echo kept >> /data/f"));
    const volume = await mountAt("keeper", "/data");
    expect(volume.Source).toBe(join(daemon.root, "volumes", volume.Name!, "_data"));
    expect(volume.Name).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(volume.Source, "f"), "utf8")).toBe("kept\n");
    // The same volume on the next start.
    expect(ok(await daemon.bunker("start", "-a", "keeper")).stdout).toBe("kept\n");
    ok(await daemon.bunker("rm", "keeper"));
    expect(readFileSync(join(volume.Source, "f"), "utf8")).toBe("kept\nkept\n");

    ok(await daemon.bunker("run", "--name", "dropper", "-v", "/data", "base", "sh", "-c", "echo x > /data/f"));
    const dropped = await mountAt("dropper", "/data");
    expect(existsSync(dropped.Source)).toBe(true);
    ok(await daemon.bunker("rm", "-v", "dropper"));
    expect(existsSync(join(daemon.root, "volumes", dropped.Name!))).toBe(false);
  });

  test("run --rm takes its volumes with it", async () => {
    const before = readdirSync(join(daemon.root, "volumes")).sort();
    ok(await daemon.bunker("run", "--rm", "-v", "/scratch", "base", "touch", "/scratch/x"));
    expect(readdirSync(join(daemon.root, "volumes")).sort()).toEqual(before);
  });

  test("an image VOLUME is seeded with the image's content, modes, owners and symlinks, once", async () => {
    const r = ok(await daemon.bunker("run", "--name", "seeded1", "seeded", "sh", "-c", "cat /vol/seed.txt; rm -r /vol/*"));
    expect(r.stdout).toBe("from the image\n");
    const info = await inspect("seeded1");
    expect(info.Config.Volumes).toEqual({ "/vol": {} });
    const volume = info.Mounts[0];
    expect(volume).toMatchObject({ Type: "volume", Destination: "/vol", RW: true });

    // What the seeding copied, checked in a second container's fresh volume before it runs anything.
    ok(await daemon.bunker("run", "--name", "seeded2", "seeded", "true"));
    const data = (await mountAt("seeded2", "/vol")).Source;
    const seed = statSync(join(data, "seed.txt"));
    expect([seed.uid, seed.gid, seed.mode & 0o7777]).toEqual([1000, 1000, 0o640]);
    expect(readlinkSync(join(data, "link"))).toBe("seed.txt");
    expect(lstatSync(join(data, "sub")).isDirectory()).toBe(true);
    const top = statSync(data);
    expect([top.uid, top.gid, top.mode & 0o7777]).toEqual([1, 1, 0o750]);

    // Emptied by its container, the volume is not seeded again on the next start.
    const again = await daemon.bunker("start", "-a", "seeded1");
    expect(again.stdout).toBe("");
    expect(again.stderr).toContain("can't open '/vol/seed.txt'");
    expect(readdirSync(volume.Source)).toEqual([]);
  });

  test("a bind mount is read-write, creates a missing host dir, and :ro makes it read-only", async () => {
    const host = hostScratch();
    ok(await daemon.bunker("run", "--rm", "-v", `${host}:/mnt/host`, "base", "sh", "-c", "echo from-container > /mnt/host/out"));
    expect(readFileSync(join(host, "out"), "utf8")).toBe("from-container\n");

    writeFileSync(join(host, "in"), "from-host\n");
    const ro = await daemon.bunker("run", "--rm", "-v", `${host}:/mnt/host:ro`, "base", "sh", "-c", "cat /mnt/host/in; touch /mnt/host/new");
    expect(ro.code).not.toBe(0);
    expect(ro.stdout).toBe("from-host\n");
    expect(ro.stderr).toContain("Read-only file system");
    expect(existsSync(join(host, "new"))).toBe(false);
  });

  test("a file can be bound too", async () => {
    const host = hostScratch();
    mkdirSync(host);
    writeFileSync(join(host, "config"), "setting=1\n");
    const r = ok(await daemon.bunker("run", "--rm", "-v", `${join(host, "config")}:/etc/app.conf:ro`, "base", "cat", "/etc/app.conf"));
    expect(r.stdout).toBe("setting=1\n");
  });

  test("--volumes-from shares another container's volumes and binds; the owner still restarts", async () => {
    const host = hostScratch();
    ok(await daemon.bunker("run", "--name", "owner", "-v", "/shared", "-v", `${host}:/bound`, "base", "sh", "-c", "echo shared > /shared/f; echo bound > /bound/f"));
    const r = ok(await daemon.bunker("run", "--name", "user", "--volumes-from", "owner", "base", "cat", "/shared/f", "/bound/f"));
    expect(r.stdout).toBe("shared\nbound\n");
    const owner = await inspect("owner");
    const user = await inspect("user");
    expect(user.HostConfig.VolumesFrom).toEqual(["owner"]);
    expect(user.Mounts.map((m) => [m.Type, m.Source, m.Destination]).sort()).toEqual(owner.Mounts.map((m) => [m.Type, m.Source, m.Destination]).sort());

    // :ro makes the shared mounts read-only for the new container only.
    const ro = await daemon.bunker("run", "--rm", "--volumes-from", "owner:ro", "base", "touch", "/shared/g");
    expect(ro.stderr).toContain("Read-only file system");

    ok(await daemon.bunker("start", "-a", "owner"));
    expect(ok(await daemon.bunker("start", "-a", "user")).stdout).toBe("shared\nbound\n");
  });

  test("a path the container names itself wins over the one it shares", async () => {
    ok(await daemon.bunker("run", "--name", "lender", "-v", "/a", "-v", "/b", "base", "touch", "/a/lent", "/b/lent"));
    const host = hostScratch();
    ok(await daemon.bunker("run", "--name", "borrower", "--volumes-from", "lender", "-v", `${host}:/b`, "base", "true"));
    const mounts = (await inspect("borrower")).Mounts;
    expect(mounts.find((m) => m.Destination === "/a")).toEqual(await mountAt("lender", "/a"));
    expect(mounts.find((m) => m.Destination === "/b")).toMatchObject({ Type: "bind", Source: host });
  });

  test("rm -v keeps a volume another container still uses", async () => {
    ok(await daemon.bunker("run", "--name", "first", "-v", "/keep", "base", "sh", "-c", "echo still > /keep/f"));
    ok(await daemon.bunker("create", "--name", "second", "--volumes-from", "first", "base", "cat", "/keep/f"));
    const volume = await mountAt("first", "/keep");
    ok(await daemon.bunker("rm", "-v", "first"));
    expect(existsSync(volume.Source)).toBe(true);
    expect(ok(await daemon.bunker("start", "-a", "second")).stdout).toBe("still\n");
    ok(await daemon.bunker("rm", "-v", "second"));
    expect(existsSync(join(daemon.root, "volumes", volume.Name!))).toBe(false);
  });

  test("a mount target never resolves outside the rootfs, whatever the image's symlinks say", async () => {
    const host = hostScratch();
    const name = `bunker-hostile-${randomBytes(4).toString("hex")}`;
    // /data -> / and /up -> ../../../.. both stay at the container's root.
    for (const target of [`/data/${name}`, `/up/${name}`]) {
      const r = ok(await daemon.bunker("run", "--rm", "-v", `${host}:${target}`, "hostile", "sh", "-c", `echo in > /${name}/f; ls /`));
      expect(r.stdout.split("\n")).toContain(name);
      expect(existsSync(`/${name}`)).toBe(false);
      expect(readFileSync(join(host, "f"), "utf8")).toBe("in\n");
    }
    // A target that resolves to the root itself would replace the whole image: refused.
    const root = await daemon.bunker("run", "--rm", "-v", `${host}:/data`, "hostile", "true");
    expect(root.code).toBe(125);
    expect(root.stderr).toContain("resolves outside the container's root");
  });

  test("invalid specifications are refused at create", async () => {
    for (const [spec, message] of [
      ["bad$name:/x", "includes invalid characters for a local volume name"],
      ["/tmp:relative", "mount path must be absolute"],
      ["/tmp:/", "destination can't be '/'"],
      ["/tmp:/proc/x", "cannot mount in /proc"],
      ["/tmp:/x:bogus", "invalid mode: bogus"],
    ]) {
      const r = await daemon.bunker("create", "-v", spec, "base", "true");
      expect(r.code).toBe(125);
      expect(r.stderr).toContain(message);
    }
    const missing = await daemon.bunker("create", "--volumes-from", "nosuchcontainer", "base", "true");
    expect(missing.stderr).toContain("No such container: nosuchcontainer");
  });

  test("inspect shows Mounts in the API v1.41 shape, and the request as given", async () => {
    const host = hostScratch();
    ok(await daemon.bunker("create", "--name", "shape", "-v", "/v", "-v", `${host}:/b:ro`, "base", "true"));
    const info = await inspect("shape");
    const volume = info.Mounts.find((m) => m.Type === "volume")!;
    expect(volume).toEqual({
      Type: "volume",
      Name: volume.Name,
      Source: join(daemon.root, "volumes", volume.Name!, "_data"),
      Destination: "/v",
      Driver: "local",
      Mode: "",
      RW: true,
      Propagation: "",
    });
    expect(info.Mounts.find((m) => m.Type === "bind")).toEqual({ Type: "bind", Source: host, Destination: "/b", Mode: "ro", RW: false, Propagation: "" });
    expect(info.Config.Volumes).toEqual({ "/v": {} });
    expect(info.HostConfig.Binds).toEqual([`${host}:/b:ro`]);
    const listed = (await (await daemon.api("/containers/json?all=1")).json()) as { Names: string[]; Mounts: Mount[] }[];
    expect(listed.find((c) => c.Names[0] === "/shape")!.Mounts).toEqual(info.Mounts);
  });

  test("the generated /etc files are bound inside the root even when the image's point out", async () => {
    const name = `bunker-hostile-hostname-${randomBytes(4).toString("hex")}`;
    await importImage("hostile-etc", [], (root) => {
      rmSync(join(root, "etc/hostname"), { force: true });
      symlinkSync(`/tmp/${name}`, join(root, "etc/hostname"));
    });
    // The init layer's /etc/hostname lies over the image's link, as under Docker.
    const r = ok(await daemon.bunker("run", "--rm", "hostile-etc", "sh", "-c", `cat /etc/hostname; test -e /tmp/${name} || echo no-link-target`));
    expect(r.stdout).toMatch(/^[0-9a-f]{12}\nno-link-target\n$/);
    expect(existsSync(`/tmp/${name}`)).toBe(false);
  });

  test("a volume whose metadata is lost is recorded again when the daemon restarts", async () => {
    ok(await daemon.bunker("create", "--name", "survivor", "-v", "/d", "base", "cat", "/d/f"));
    const volume = await mountAt("survivor", "/d");
    writeFileSync(join(volume.Source, "f"), "data\n");
    await daemon.stop();
    rmSync(join(daemon.root, "volumes", volume.Name!, "volume.json"));
    mkdirSync(join(daemon.root, "volumes", `.tmp-${"0".repeat(64)}`, "_data"), { recursive: true });
    await daemon.start();
    expect(ok(await daemon.bunker("start", "-a", "survivor")).stdout).toBe("data\n");
    expect(JSON.parse(readFileSync(join(daemon.root, "volumes", volume.Name!, "volume.json"), "utf8"))).toMatchObject({ Name: volume.Name, Seeded: true });
    expect(readdirSync(join(daemon.root, "volumes")).filter((entry) => entry.startsWith("."))).toEqual([]);
  });
});

describe("volumes with the docker CLI", () => {
  test("docker run -v, inspect and rm -v", async () => {
    const host = hostScratch();
    ok(await daemon.docker("run", "--name", "dockervol", "-v", "/dv", "-v", `${host}:/h`, "base", "sh", "-c", "echo d > /h/f; echo v > /dv/f"));
    expect(readFileSync(join(host, "f"), "utf8")).toBe("d\n");
    const format = "{{range .Mounts}}{{.Type}} {{.Destination}} {{.RW}};{{end}}";
    expect(ok(await daemon.docker("inspect", "-f", format, "dockervol")).stdout.trim().split(";").filter(Boolean).sort()).toEqual(["bind /h true", "volume /dv true"]);
    expect(ok(await daemon.docker("run", "--rm", "--volumes-from", "dockervol", "base", "cat", "/dv/f")).stdout).toBe("v\n");
    const volume = await mountAt("dockervol", "/dv");
    ok(await daemon.docker("rm", "-v", "dockervol"));
    expect(existsSync(volume.Source)).toBe(false);
    expect(existsSync(join(host, "f"))).toBe(true);
  });
});
