/**
 * The default security profile, tried as an attacker would from a root process in a default
 * container, on bunker and on a throw-away dockerd (Debian's docker.io) on the same machine:
 * the escape probe (test/fixtures/escape-probe.c) prints what each kernel call gave, and both
 * engines must give the same; the host's cgroup settings are read before and after every
 * route to them; `seccomp=unconfined` and `--privileged` open what they open under Docker.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ok, run } from "./harness.ts";
import { sideBySide } from "./side-by-side-setup.ts";

let probe: string;
const engines = sideBySide("security", async ({ bunker }) => {
  probe = join(engines.bunker.dir, "escape-probe");
  const built = Bun.spawnSync(["cc", "-static", "-O2", "-o", probe, join(import.meta.dir, "../fixtures/escape-probe.c")]);
  if (built.exitCode !== 0) throw new Error(built.stderr.toString());
});

/** `docker run --rm` of `args` on each engine: [bunker's result, Docker's]. */
async function onBoth(...args: string[]) {
  const argv = ["docker", "run", "--rm", "--network", "none", "-v", `${probe}:/probe:ro`, ...args];
  return Promise.all([run(argv, { DOCKER_HOST: engines.bunker.host }), run(argv, { DOCKER_HOST: engines.dockerd.host })]);
}

const lines = (text: string) => Object.fromEntries(text.trim().split("\n").map((line) => line.split("=")));


describe("a default container, as root", () => {
  test("every escape call fails as it fails under Docker (user namespaces, keyring, personality, bpf, mount, setns, clock, clone3…)", async () => {
    const [ours, theirs] = await onBoth("base", "/probe");
    expect(ours.code).toBe(0);
    const result = lines(ours.stdout);
    expect(result).toEqual(lines(theirs.stdout));
    for (const call of ["unshare-user", "unshare-mount", "add_key", "keyctl", "personality", "bpf", "userfaultfd", "perf_event_open", "kexec_load", "open_by_handle_at", "mount", "umount2", "setns", "clock_settime"]) {
      expect(result[call]).toBe("EPERM");
    }
    expect(result["ptrace-parent"]).not.toBe("ok");
    expect(result.clone3).toBe("ENOSYS");
  });

  test("/proc/self/status shows seccomp filter mode 2, as under Docker", async () => {
    const [ours, theirs] = await onBoth("base", "grep", "^Seccomp:", "/proc/self/status");
    expect(ours.stdout).toMatch(/^Seccomp:\s+2$/m);
    expect(ours.stdout).toBe(theirs.stdout);
  });

  test("no route changes the host's cgroup settings: not the mounted files, a new mount, nor one made from a user namespace", async () => {
    const files = ["cpuset/cpuset.cpus", "cpuset/cpuset.mems", "cpu/cpu.shares", "cpu/cpu.cfs_quota_us", "memory/memory.swappiness", "blkio/blkio.throttle.read_bps_device", "pids/cgroup.procs"]
      .map((file) => join("/sys/fs/cgroup", file));
    const read = () => files.map((file) => readFileSync(file, "utf8"));
    const before = read();
    const attack = [
      "echo 0 > /sys/fs/cgroup/cpuset/cpuset.cpus; echo 2 > /sys/fs/cgroup/cpu/cpu.shares; echo 1 > /sys/fs/cgroup/memory/memory.swappiness",
      "mkdir -p /tmp/cg; for c in cpuset cpu memory blkio pids; do mount -t cgroup -o $c cgroup /tmp/cg && echo 0 > /tmp/cg/cpuset.cpus; umount /tmp/cg; done",
      "unshare -Urm sh -c 'mount -t cgroup -o cpuset c /tmp/cg && echo 0 > /tmp/cg/cpuset.cpus; mount -t cgroup -o blkio c /tmp/cg && echo \"253:0 1\" > /tmp/cg/blkio.throttle.read_bps_device'",
      "echo $$ > /sys/fs/cgroup/pids/../cgroup.procs",
      "true",
    ].join("; ");
    const [ours, theirs] = await onBoth("base", "sh", "-c", `${attack} 2>/dev/null`);
    expect(ours.code).toBe(0);
    expect(theirs.code).toBe(0);
    expect(read()).toEqual(before);
  });

  test("its own cgroups are all it sees: a private cgroup namespace, read-only", async () => {
    const out = await engines.bunker.bunkerOk("run", "--rm", "base", "sh", "-c", "cat /proc/self/cgroup; touch /sys/fs/cgroup/memory/x 2>&1 || true");
    for (const line of out.split("\n").filter((l) => /^\d+:/.test(l))) expect(line).toMatch(/:\/$/);
    expect(out).toContain("Read-only file system");
  });
});

describe("opened up", () => {
  test("--security-opt seccomp=unconfined lets it create a user namespace, as under Docker", async () => {
    const [ours, theirs] = await onBoth("--security-opt", "seccomp=unconfined", "base", "/probe");
    expect(lines(ours.stdout)["unshare-user"]).toBe("ok");
    expect(lines(theirs.stdout)["unshare-user"]).toBe("ok");
  });

  test("--privileged can mount a tmpfs and sees the host's devices, unconfined, as under Docker", async () => {
    const script = "mkdir -p /mnt/t && mount -t tmpfs t /mnt/t && echo mounted; grep ^Seccomp: /proc/self/status; test -e /dev/loop-control && echo devices";
    const [ours, theirs] = await onBoth("--privileged", "base", "sh", "-c", script);
    expect(ours.stdout).toBe("mounted\nSeccomp:\t0\ndevices\n");
    // Where the machine withholds a capability from root itself (CapBnd without SYS_RESOURCE
    // here), runc cannot grant "all" and refuses; bunker grants all it holds.
    if (theirs.code === 0) expect(ours.stdout).toBe(theirs.stdout);
    else expect(theirs.stderr).toContain("unable to apply caps");
  });

  test("a profile of the user's (Docker's JSON) applies: one that refuses mkdir makes mkdir fail", async () => {
    const profile = join(engines.bunker.dir, "no-mkdir.json");
    await Bun.write(profile, JSON.stringify({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO" }] }));
    const [ours, theirs] = await onBoth("--security-opt", `seccomp=${profile}`, "base", "sh", "-c", "mkdir /x 2>/dev/null && echo made || echo refused");
    expect(ours.stdout.trim()).toBe("refused");
    expect(ours.stdout).toBe(theirs.stdout);
  });

  test("--cap-drop ALL --cap-add NET_ADMIN leaves exactly NET_ADMIN; no-new-privileges sets NoNewPrivs", async () => {
    const [ours, theirs] = await onBoth("--cap-drop", "ALL", "--cap-add", "net_admin", "--security-opt", "no-new-privileges", "base", "grep", "-E", "^(CapEff|CapBnd|NoNewPrivs)", "/proc/self/status");
    expect(ours.stdout).toContain("CapEff:\t0000000000001000");
    expect(ours.stdout).toContain("NoNewPrivs:\t1");
    expect(ours.stdout).toBe(theirs.stdout);
  });

  test("bad security options are refused at create with one line, as by Docker", async () => {
    for (const args of [["--cap-add", "NOT_A_CAP"], ["--security-opt", "bogus"], ["--sysctl", "vm.swappiness=1"]]) {
      const ours = await engines.bunker.bunker("create", ...args, "base", "true");
      expect(ours.code).not.toBe(0);
      expect(ours.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect((await ok(engines.bunker.bunker("ps", "-aq"))).trim()).toBe("");
  });
});

describe("the other privilege controls", () => {
  test("--read-only with a --tmpfs, --ulimit, --sysctl, --shm-size and --group-add do what Docker's do", async () => {
    const script = [
      "touch /x 2>/dev/null && echo root-writable || echo root-read-only",
      "touch /run/y && echo tmpfs-writable",
      "ulimit -n",
      "cat /proc/sys/net/ipv4/ip_forward",
      "df -k /dev/shm | tail -1 | awk '{print $2}'",
      "id -G",
    ].join("; ");
    const [ours, theirs] = await onBoth("--read-only", "--tmpfs", "/run:size=1m", "--ulimit", "nofile=100:200", "--sysctl", "net.ipv4.ip_forward=1", "--shm-size", "8m", "--group-add", "10", "base", "sh", "-c", script);
    expect(ours.stdout).toBe("root-read-only\ntmpfs-writable\n100\n1\n8192\n0 10\n");
    expect(ours.stdout).toBe(theirs.stdout);
  });

  test("--device gives the node, as the host has it; without it the device cgroup refuses a node made by hand", async () => {
    const [ours, theirs] = await onBoth("--device", "/dev/fuse", "base", "sh", "-c", "ls -l /dev/fuse | awk '{print $1, $5, $6}'; mknod /tmp/loop b 7 0; head -c1 /tmp/loop >/dev/null 2>&1 && echo opened || echo refused");
    expect(ours.stdout).toBe("crw------- 10, 229\nrefused\n");
    expect(ours.stdout).toBe(theirs.stdout);
  });
});

describe("device cgroup rules", () => {
  test("--device-cgroup-rule 'b 7:* r' lets a node made by hand be read, not written, as under Docker", async () => {
    const script = "mknod /tmp/loop b 7 0; head -c1 /tmp/loop >/dev/null 2>&1 && echo read || echo no-read; printf x 2>/dev/null > /tmp/loop && echo wrote || echo no-write";
    const [ours, theirs] = await onBoth("--device-cgroup-rule", "b 7:* r", "base", "sh", "-c", script);
    expect(ours.stdout).toBe("read\nno-write\n");
    expect(ours.stdout).toBe(theirs.stdout);
  });
});

describe("file capabilities", () => {
  test("a file capability set in a container survives commit and works for a non-root user, within the bounding set", async () => {
    const filecap = join(engines.bunker.dir, "filecap-probe");
    const built = Bun.spawnSync(["cc", "-static", "-O2", "-o", filecap, join(import.meta.dir, "../fixtures/filecap-probe.c")]);
    if (built.exitCode !== 0) throw new Error(built.stderr.toString());
    const made = await engines.bunker.bunker("run", "--name", "setcap", "-v", `${filecap}:/probe:ro`, "base", "sh", "-c", "cp /probe /bin/binder && cp /probe /bin/plain && /probe set /bin/binder");
    expect(made.stdout.trim()).toBe("set=ok");
    await ok(engines.bunker.bunker("commit", "setcap", "withcaps"));
    const asUser = (...args: string[]) => engines.bunker.bunker("run", "--rm", "-u", "1000", ...args);
    expect((await asUser("withcaps", "/bin/binder", "bind")).stdout.trim()).toBe("bind=ok");
    expect((await asUser("withcaps", "/bin/plain", "bind")).stdout.trim()).toBe("bind=EACCES");
    // Outside the bounding set a file capability grants nothing: the kernel refuses the exec.
    expect((await asUser("--cap-drop", "NET_BIND_SERVICE", "withcaps", "/bin/binder", "bind")).stdout.trim()).not.toBe("bind=ok");
    await ok(engines.bunker.bunker("rm", "setcap"));
    await ok(engines.bunker.bunker("rmi", "withcaps"));
  });
});

describe("the daemon", () => {
  test("info lists seccomp under Security Options, and both CLIs print it as docker info does", async () => {
    const info = (await (await engines.bunker.api("/info")).json()) as { SecurityOptions: string[] };
    expect(info.SecurityOptions).toContain("name=seccomp,profile=default");
    for (const printed of [await ok(engines.bunker.bunker("info")), await ok(engines.bunker.docker("info"))]) {
      expect(printed).toContain(" Security Options:\n  seccomp\n   Profile: default\n");
    }
  });
});
