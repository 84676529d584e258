/**
 * The order of what stages 3 and 4 do, asserted through a recording fake of their syscalls,
 * without root: the root is mounted before it is pivoted into, the host's tree detached right
 * after, the masks laid over the container's /proc, and the process loses its groups, gid,
 * uid and capabilities in runc's order before bunker's descriptors close and execve runs.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setupInside } from "../../src/start/3-setup-inside.ts";
import { execProcess } from "../../src/start/4-exec.ts";
import type { LaunchSpec } from "../../src/start/spec.ts";
import type { StageSyscalls } from "../../src/start/syscalls.ts";
import * as C from "../../ffi/constants.ts";

interface Call {
  name: keyof StageSyscalls;
  args: unknown[];
}

/** Every call recorded in order; none reaches the kernel. */
function recordingSyscalls(): { sys: StageSyscalls; calls: Call[] } {
  const calls: Call[] = [];
  const sys = new Proxy({} as StageSyscalls, {
    get: (_target, name) => (...args: unknown[]) => {
      calls.push({ name: name as keyof StageSyscalls, args });
      return 0;
    },
  });
  return { sys, calls };
}

const cwd = process.cwd();
let dir: string;
/** Every directory a test's specs made (a test may make several). */
const made: string[] = [];
afterEach(() => {
  process.chdir(cwd); // pivotInto leaves the (fake) new root at "/"
  for (const path of made.splice(0)) rmSync(path, { recursive: true, force: true });
});

function spec(): LaunchSpec {
  dir = mkdtempSync("/tmp/bunker-stage-order-");
  made.push(dir);
  mkdirSync(join(dir, "rootfs")); // where the (fake) overlay would be
  return {
    containerId: "c".repeat(64),
    rootfs: join(dir, "rootfs"),
    layersDir: dir,
    lowerDirs: ["l/aaaa"],
    upperDir: join(dir, "upper"),
    workDir: join(dir, "work"),
    hostname: "box",
    fileBinds: [],
    mounts: [],
    cgroupProcs: [],
    process: { args: ["/bin/sh", "-c", "true"], env: ["PATH=/bin"], cwd: join(dir, "cwd"), user: "" },
    capabilities: [0, 1, 21],
    noNewPrivileges: false,
    privileged: false,
    devices: [],
    readonlyRootfs: false,
    tmpfs: [],
    sysctls: {},
    rlimits: [],
    shmSize: 64 * 1024 * 1024,
    additionalGroups: [],
    cgroupNamespace: false,
    cgroupMounts: [],
    oomScoreAdj: 0,
    terminal: false,
    network: { namespace: "host" },
  };
}

const indexOf = (calls: Call[], match: (call: Call) => boolean) => calls.findIndex(match);
const lastIndexOf = (calls: Call[], match: (call: Call) => boolean) => calls.findLastIndex(match);

describe("stage 3: the filesystem", () => {
  test("overlay root first, then /proc, /sys, /dev; pivot; detach; hostname and masks inside", () => {
    const { sys, calls } = recordingSyscalls();
    setupInside(spec(), sys);
    const mountAt = (fstype: string) => indexOf(calls, (c) => c.name === "mount" && c.args[2] === fstype);
    const pivot = indexOf(calls, (c) => c.name === "pivotRoot");
    const detach = indexOf(calls, (c) => c.name === "umount2");
    const firstMask = indexOf(calls, (c) => c.name === "mount" && c.args[0] === "/dev/null");
    expect(mountAt("overlay")).toBe(0);
    for (const fstype of ["proc", "sysfs", "tmpfs", "devpts", "mqueue"]) {
      expect(mountAt(fstype)).toBeGreaterThan(0);
      expect(mountAt(fstype)).toBeLessThan(pivot);
    }
    expect(calls[pivot]!.args).toEqual([".", "."]);
    expect(detach).toBe(pivot + 1);
    expect(calls[detach]!.args).toEqual([".", C.MNT_DETACH]);
    expect(indexOf(calls, (c) => c.name === "sethostname")).toBeGreaterThan(detach);
    expect(firstMask).toBeGreaterThan(detach);
    // /proc/keys (the host keyring) is masked and /proc/sys made read-only, in the container's /proc.
    expect(calls.some((c) => c.name === "mount" && c.args[0] === "/dev/null" && c.args[1] === "/proc/keys")).toBe(true);
    expect(calls.some((c) => c.name === "mount" && c.args[1] === "/proc/sys" && (Number(c.args[3]) & C.MS_RDONLY) !== 0)).toBe(true);
  });
});

describe("stage 3: cgroups, privilege and a read-only root", () => {
  const mountsOf = (calls: Call[]) => calls.filter((c) => c.name === "mount").map((c) => [String(c.args[1]).replace(dir, ""), c.args[2], c.args[3]]);

  test("v1: a tmpfs at /sys/fs/cgroup, each hierarchy read-only in it, then the tmpfs read-only; before the pivot", () => {
    const { sys, calls } = recordingSyscalls();
    setupInside({ ...spec(), cgroupMounts: [{ dir: "memory", fstype: "cgroup", options: "memory" }, { dir: "unified", fstype: "cgroup2", options: "" }] }, sys);
    const cgroup = mountsOf(calls).filter(([target]) => String(target).includes("/sys/fs/cgroup"));
    expect(cgroup).toEqual([
      ["/rootfs/sys/fs/cgroup", "tmpfs", C.MS_NOSUID | C.MS_NODEV | C.MS_NOEXEC],
      ["/rootfs/sys/fs/cgroup/memory", "cgroup", C.MS_NOSUID | C.MS_NODEV | C.MS_NOEXEC | C.MS_RDONLY],
      ["/rootfs/sys/fs/cgroup/unified", "cgroup2", C.MS_NOSUID | C.MS_NODEV | C.MS_NOEXEC | C.MS_RDONLY],
      ["/rootfs/sys/fs/cgroup", null, C.MS_REMOUNT | C.MS_RDONLY | C.MS_NOSUID | C.MS_NODEV | C.MS_NOEXEC],
    ]);
    expect(calls.findLastIndex((c) => c.name === "mount" && String(c.args[1]).includes("/sys/fs/cgroup"))).toBeLessThan(indexOf(calls, (c) => c.name === "pivotRoot"));
  });

  test("v2: the one tree at /sys/fs/cgroup itself, read-only", () => {
    const { sys, calls } = recordingSyscalls();
    setupInside({ ...spec(), cgroupMounts: [{ dir: "", fstype: "cgroup2", options: "" }] }, sys);
    expect(mountsOf(calls).filter(([target]) => String(target).includes("/sys/fs/cgroup"))).toEqual([
      ["/rootfs/sys/fs/cgroup", "cgroup2", C.MS_NOSUID | C.MS_NODEV | C.MS_NOEXEC | C.MS_RDONLY],
    ]);
  });

  test("--privileged: /sys writable and nothing masked; --read-only: the root remounted read-only, last", () => {
    const privileged = recordingSyscalls();
    setupInside({ ...spec(), privileged: true }, privileged.sys);
    expect(mountsOf(privileged.calls).find(([, fstype]) => fstype === "sysfs")![2]).toBe(C.MS_NOSUID | C.MS_NODEV | C.MS_NOEXEC);
    expect(privileged.calls.some((c) => c.name === "mount" && c.args[0] === "/dev/null")).toBe(false);
    process.chdir(cwd);
    const readonly = recordingSyscalls();
    setupInside({ ...spec(), readonlyRootfs: true }, readonly.sys);
    expect(readonly.calls.at(-1)).toEqual({ name: "mount", args: [null, "/", null, C.MS_BIND | C.MS_REMOUNT | C.MS_RDONLY] });
  });
});

describe("stage 4: becoming the container's process", () => {
  test("session, bounding set, groups, gid, uid, capabilities, close-on-exec, signals, execve: in that order", () => {
    const { sys, calls } = recordingSyscalls();
    execProcess(spec(), sys);
    const order = [
      indexOf(calls, (c) => c.name === "setsid"),
      indexOf(calls, (c) => c.name === "prctl" && c.args[0] === C.PR_CAPBSET_DROP),
      lastIndexOf(calls, (c) => c.name === "prctl"),
      indexOf(calls, (c) => c.name === "setgroups"),
      indexOf(calls, (c) => c.name === "setresgid"),
      indexOf(calls, (c) => c.name === "setresuid"),
      indexOf(calls, (c) => c.name === "capset"),
      indexOf(calls, (c) => c.name === "closeFromOnExec"),
      indexOf(calls, (c) => c.name === "resetSignals"),
      indexOf(calls, (c) => c.name === "execve"),
    ];
    for (const position of order) expect(position).toBeGreaterThanOrEqual(0);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(calls.at(-1)).toEqual({ name: "execve", args: ["/bin/sh", ["/bin/sh", "-c", "true"], ["PATH=/bin", "HOME=/root"]] });
    // Every capability outside the kept set leaves the bounding set; the kept ones stay.
    const dropped = calls.filter((c) => c.name === "prctl" && c.args[0] === C.PR_CAPBSET_DROP).map((c) => c.args[1]);
    expect(dropped).not.toContain(21);
    expect(dropped).toContain(2);
    expect(calls.find((c) => c.name === "capset")!.args).toEqual([[0, 1, 21]]);
    expect(calls.find((c) => c.name === "closeFromOnExec")!.args).toEqual([3]);
  });

  test("the seccomp filter: after the bounding set and before the identity changes; with no-new-privileges, right before execve", () => {
    const filter = Buffer.from(new Uint8Array(8)).toString("base64");
    const at = (calls: Call[], name: keyof StageSyscalls) => indexOf(calls, (c) => c.name === name);
    const plain = recordingSyscalls();
    execProcess({ ...spec(), seccomp: filter }, plain.sys);
    const installed = at(plain.calls, "installSeccompFilter");
    expect(installed).toBeGreaterThan(lastIndexOf(plain.calls, (c) => c.name === "prctl" && c.args[0] === C.PR_CAPBSET_DROP));
    expect(installed).toBeLessThan(at(plain.calls, "setgroups"));
    process.chdir(cwd);
    const strict = recordingSyscalls();
    execProcess({ ...spec(), seccomp: filter, noNewPrivileges: true }, strict.sys);
    expect(indexOf(strict.calls, (c) => c.name === "prctl" && c.args[0] === C.PR_SET_NO_NEW_PRIVS)).toBeLessThan(at(strict.calls, "setgroups"));
    expect(at(strict.calls, "installSeccompFilter")).toBe(strict.calls.length - 2);
    expect(strict.calls.at(-1)!.name).toBe("execve");
  });

  test("--ulimit limits are set while the process still may raise them, before the bounding set shrinks", () => {
    const { sys, calls } = recordingSyscalls();
    execProcess({ ...spec(), rlimits: [{ resource: 7, soft: 100, hard: 200 }] }, sys);
    expect(calls.find((c) => c.name === "setrlimit")!.args).toEqual([7, 100, 200]);
    expect(indexOf(calls, (c) => c.name === "setrlimit")).toBeLessThan(indexOf(calls, (c) => c.name === "prctl" && c.args[0] === C.PR_CAPBSET_DROP));
  });
});
