/** `bunker run`: output, exit codes, and the isolation every container gets. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { TestDaemon } from "./harness.ts";

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await TestDaemon.withBase("run");
});
afterAll(async () => {
  await daemon.cleanup();
});

describe("run", () => {
  test("prints the container's output and exits 0", async () => {
    const r = await daemon.bunker("run", "base", "echo", "hello");
    expect(r).toMatchObject({ code: 0, stdout: "hello\n" });
  });

  test("exits with the container's exit code", async () => {
    expect((await daemon.bunker("run", "base", "sh", "-c", "exit 3")).code).toBe(3);
  });

  test("flags after the image belong to the command", async () => {
    const r = await daemon.bunker("run", "base", "sh", "-c", "echo -n x; echo -n y");
    expect(r.stdout).toBe("xy");
  });

  test("keeps stdout and stderr apart", async () => {
    const r = await daemon.bunker("run", "base", "sh", "-c", "echo out; echo err >&2");
    expect(r.stdout).toBe("out\n");
    expect(r.stderr).toBe("err\n");
  });

  test("the command is PID 1 and sees only the container's processes", async () => {
    expect((await daemon.bunker("run", "base", "sh", "-c", "echo $$")).stdout).toBe("1\n");
    const ps = await daemon.bunker("run", "base", "ps", "-o", "pid,comm");
    const pids = ps.stdout.trim().split("\n").slice(1).map((line) => line.trim().split(/\s+/)[0]);
    expect(pids).toEqual(["1"]);
  });

  test("the command leads its own session inside the container", async () => {
    // /proc/1/stat fields 6 and 5: session and process group, both 1 (its own, not the daemon's).
    const r = await daemon.bunker("run", "base", "sh", "-c", "cut -d' ' -f5,6 /proc/1/stat");
    expect(r.stdout).toBe("1 1\n");
  });

  test("the command starts with no signal ignored or blocked, so a pipe's writer ends with its reader", async () => {
    const status = await daemon.bunker("run", "base", "grep", "-E", "SigIgn|SigBlk", "/proc/self/status");
    expect(status.stdout).toBe("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
    expect((await daemon.bunker("run", "base", "sh", "-c", "yes | head -1")).stdout).toBe("y\n");
  });

  test("the host's tree is invisible", async () => {
    const r = await daemon.bunker("run", "base", "ls", "/work");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("No such file or directory");
    const root = await daemon.bunker("run", "base", "ls", "/");
    expect(root.stdout.split("\n").filter(Boolean).sort()).toEqual(["bin", "dev", "etc", "home", "linuxrc", "proc", "root", "sbin", "sys", "tmp", "usr", "var"]);
  });

  test("a file written in one container is absent from the next", async () => {
    expect((await daemon.bunker("run", "base", "sh", "-c", "echo x > /written && cat /written")).stdout).toBe("x\n");
    expect((await daemon.bunker("run", "base", "cat", "/written")).code).not.toBe(0);
  });

  test("root keeps only Docker's default capabilities", async () => {
    const r = await daemon.bunker("run", "base", "grep", "Cap", "/proc/1/status");
    // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
    expect(r.stdout).toContain("CapEff:\t00000000a80425fb");
    expect(r.stdout).toContain("CapBnd:\t00000000a80425fb");
    // Without CAP_SYS_ADMIN, mounting fails.
    expect((await daemon.bunker("run", "base", "mount", "-t", "tmpfs", "t", "/mnt")).code).not.toBe(0);
  });

  test("the devices cgroup keeps a made node from opening a host disk", async () => {
    const r = await daemon.bunker("run", "base", "sh", "-c", "mknod /blk b 7 0 && head -c 1 /blk");
    expect(r.stderr).toContain("Operation not permitted");
  });

  test("hostname is the short ID, and PATH and HOSTNAME are set", async () => {
    const created = await daemon.bunker("run", "-d", "base", "sh", "-c", 'echo "$(hostname) $HOSTNAME $PATH"');
    const id = created.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect((await daemon.bunker("wait", id)).stdout).toBe("0\n");
    const logs = await daemon.bunker("logs", id);
    expect(logs.stdout).toBe(`${id.slice(0, 12)} ${id.slice(0, 12)} /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n`);
  });

  test("generated /etc files and a minimal /dev", async () => {
    const r = await daemon.bunker("run", "base", "sh", "-c", "cat /etc/hostname; grep -c localhost /etc/hosts; ls /dev | tr '\\n' ' '");
    const [hostname, localhostLines, dev] = r.stdout.split("\n");
    expect(hostname).toMatch(/^[0-9a-f]{12}$/);
    expect(Number(localhostLines)).toBeGreaterThan(0);
    for (const node of ["null", "zero", "full", "random", "urandom", "tty", "pts", "shm", "ptmx"]) expect(dev).toContain(node);
    const sys = await daemon.bunker("run", "base", "sh", "-c", "touch /sys/x");
    expect(sys.stderr).toContain("Read-only file system");
  });

  test("-e, -w, --entrypoint and --name", async () => {
    const r = await daemon.bunker("run", "--name", "named", "-e", "GREETING=hi", "-w", "/tmp", "--entrypoint", "sh", "base", "-c", "echo $GREETING $(pwd)");
    expect(r.stdout).toBe("hi /tmp\n");
    const clash = await daemon.bunker("run", "--name", "named", "base", "true");
    expect(clash.code).toBe(125);
    expect(clash.stderr).toContain('The container name "/named" is already in use');
  });

  test("a missing image is a one-line error and exit 125", async () => {
    // --pull=never: without it the CLI would try Docker Hub first, as docker does.
    const r = await daemon.bunker("run", "--pull=never", "nosuchimage");
    expect(r.code).toBe(125);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("No such image: nosuchimage:latest");
  });

  test("a missing command exits 127 with Docker's message", async () => {
    const r = await daemon.bunker("run", "base", "nosuchcommand");
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('exec: "nosuchcommand": executable file not found in $PATH');
  });

  test("--rm removes the container once it exits", async () => {
    const before = (await daemon.bunker("ps", "-aq")).stdout;
    expect((await daemon.bunker("run", "--rm", "base", "echo", "gone")).stdout).toBe("gone\n");
    expect((await daemon.bunker("ps", "-aq")).stdout).toBe(before);
  });
});
