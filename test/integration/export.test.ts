/**
 * export | import round-trips a container's whole filesystem: a symlink, a hardlink, a fifo,
 * a device node, a setuid file, an empty directory and an xattr come back the same, checked
 * inside a container of the imported image. Running containers export too, and a client that
 * goes away mid-stream leaves no mount behind.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { lgetxattr, lsetxattr } from "../../ffi/sys.ts";
import { BIN, eventually, run, TestDaemon } from "./harness.ts";

let daemon: TestDaemon;

beforeAll(async () => {
  daemon = await TestDaemon.withBase("export");
});
afterAll(async () => {
  await daemon?.cleanup();
});

function viewMounts(): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((line) => line.includes(join(daemon.root, "tmp")));
}

const SPECIAL_FILES = [
  "mkdir -p /special/empty",
  "echo data > /special/file",
  "ln /special/file /special/hardlink",
  "ln -s ../special/file /special/symlink",
  "mkfifo /special/fifo",
  "mknod /special/null c 1 3",
  "cp /bin/busybox /special/suid && chmod 4755 /special/suid",
  "chown 1000:2000 /special/file",
].join(" && ");

const CHECK = "cd /special && stat -c '%n %A %u:%g %h' * && stat -c '%t:%T' null && readlink symlink && cat hardlink && test $(stat -c %i file) = $(stat -c %i hardlink) && echo same-inode";

describe("export and import", () => {
  test("round trip keeps symlinks, hardlinks, fifos, devices, setuid, empty dirs and xattrs", async () => {
    await daemon.bunkerOk("run", "--name", "source", "base", "sh", "-c", SPECIAL_FILES);
    const record = JSON.parse(await daemon.bunkerOk("inspect", "source"))[0] as { Id: string };
    // busybox has no setfattr: the xattr goes on from the host, into the container's layer.
    lsetxattr(join(daemon.root, "containers", record.Id, "upper/special/file"), "user.bunker", Buffer.from("kept"));

    const tarball = join(daemon.dir, "rootfs.tar");
    const exported = await run(["sh", "-c", `${BIN} -H ${daemon.host} export source > ${tarball}`]);
    expect(exported).toMatchObject({ code: 0, stderr: "" });
    const listing = (await run(["tar", "-tvf", tarball])).stdout;
    expect(listing).toMatch(/^hrw-r--r-- 1000\/2000 +0 .* special\/hardlink link to special\/file$/m);
    expect(listing).toMatch(/^crw-r--r-- 0\/0 +1,3 .* special\/null$/m);

    const importedId = (await daemon.bunkerOk("import", tarball, "exported")).trim();
    expect(importedId).toMatch(/^sha256:[0-9a-f]{64}$/);
    const expected = [
      "empty drwxr-xr-x 0:0 2",
      "fifo prw-r--r-- 0:0 1",
      "file -rw-r--r-- 1000:2000 2",
      "hardlink -rw-r--r-- 1000:2000 2",
      "null crw-r--r-- 0:0 1",
      "suid -rwsr-xr-x 0:0 1",
      "symlink lrwxrwxrwx 0:0 1",
      "1:3",
      "../special/file",
      "data",
      "same-inode",
      "",
    ].join("\n");
    expect(await daemon.bunkerOk("run", "--rm", "exported", "sh", "-c", CHECK)).toBe(expected);
    // The same files made afresh read the same: the expectation is the original's.
    expect(await daemon.bunkerOk("run", "--rm", "base", "sh", "-c", `${SPECIAL_FILES} && ${CHECK}`)).toBe(expected);

    const image = JSON.parse(await daemon.bunkerOk("inspect", "exported"))[0] as { RootFS: { Layers: string[] } };
    const layerDir = join(daemon.root, "layers", image.RootFS.Layers[0].slice("sha256:".length), "diff");
    expect(lgetxattr(join(layerDir, "special/file"), "user.bunker").toString()).toBe("kept");
    // The whole tree came along, not only the container's changes.
    expect(await daemon.bunkerOk("run", "--rm", "exported", "sh", "-c", "ls /bin/busybox /etc/passwd")).toBe("/bin/busybox\n/etc/passwd\n");
    expect(viewMounts()).toEqual([]);
  });

  test("a running container exports what it has written so far", async () => {
    const id = (await daemon.bunkerOk("run", "-d", "base", "sh", "-c", "echo running > /live && sleep 600")).trim();
    await eventually(async () => (await daemon.api(`/containers/${id}/changes`)).ok && (await (await daemon.api(`/containers/${id}/changes`)).text()).includes("/live"));
    const response = await daemon.api(`/containers/${id}/export`);
    expect(response.status).toBe(200);
    const tarball = join(daemon.dir, "live.tar");
    await Bun.write(tarball, response);
    expect((await run(["tar", "-xOf", tarball, "live"])).stdout).toBe("running\n");
    expect(viewMounts()).toEqual([]);
    await daemon.bunkerOk("rm", "-f", id);
  });

  test("a container never started exports its image", async () => {
    const created = (await daemon.bunkerOk("create", "base", "true")).trim();
    const tarball = join(daemon.dir, "created.tar");
    await daemon.bunkerOk("export", "-o", tarball, created);
    expect((await run(["tar", "-tf", tarball])).stdout).toContain("bin/busybox\n");
  });

  test("Docker's init layer: /.dockerenv, /etc/mtab and the /etc files are in the container and its export, not in its diff", async () => {
    const inside = await daemon.bunkerOk("run", "--rm", "base", "sh", "-c", "test -f /.dockerenv && echo dockerenv; readlink /etc/mtab");
    expect(inside).toBe("dockerenv\n/proc/mounts\n");
    const created = (await daemon.bunkerOk("create", "base", "true")).trim();
    const tarball = join(daemon.dir, "init-layer.tar");
    await daemon.bunkerOk("export", "-o", tarball, created);
    const names = (await run(["tar", "-tf", tarball])).stdout.split("\n");
    for (const name of [".dockerenv", "etc/mtab", "etc/hostname", "etc/hosts", "etc/resolv.conf", "dev/console"]) expect(names).toContain(name);
    await daemon.bunkerOk("start", created);
    await daemon.bunkerOk("wait", created);
    expect(await daemon.bunkerOk("diff", created)).toBe("");
  });

  test("a client that leaves mid-stream leaves no mount behind", async () => {
    await daemon.bunkerOk("run", "--name", "big", "base", "dd", "if=/dev/zero", "of=/big", "bs=1M", "count=64");
    const response = await daemon.api("/containers/big/export");
    const reader = response.body!.getReader();
    await reader.read();
    expect(viewMounts()).toHaveLength(1);
    await reader.cancel();
    await eventually(() => viewMounts().length === 0);
  });
});
