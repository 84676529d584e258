/**
 * The cgroup side without a kernel: hierarchies read from mountinfo text (a v1 hybrid host
 * like this one, and a v2-only host as Ubuntu 22.04 has), the files each version's limits
 * become, and the checks Docker makes on limits.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isUnifiedOnly, parseHierarchies } from "../../src/cgroup/hierarchies.ts";
import { blkioToIoWeight, sharesToWeight, v1Settings, v2Settings } from "../../src/cgroup/settings.ts";
import { checkResources, NO_LIMITS } from "../../src/cgroup/resources.ts";
import { ContainerCgroups } from "../../src/cgroup/container-cgroups.ts";
import { DEFAULT_DEVICE_RULES } from "../../src/cgroup/device-rules.ts";
import { StatsReader } from "../../src/cgroup/stats.ts";
import { freeze, thaw } from "../../src/container/freezer.ts";

const HYBRID = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset,clone_children
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
90 80 0:32 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory`;

const UNIFIED = `28 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot`;

describe("hierarchies", () => {
  test("a hybrid v1 host: every controller group, name=systemd and the unified tree; views of sub-cgroups skipped", () => {
    const found = parseHierarchies(HYBRID, () => []);
    expect(found.map((h) => [h.dir, h.version, h.controllers.join(","), h.mountOptions])).toEqual([
      ["cpu,cpuacct", 1, "cpu,cpuacct", "cpu,cpuacct"],
      ["cpuset", 1, "cpuset", "cpuset"],
      ["memory", 1, "memory", "memory"],
      ["systemd", 1, "", "name=systemd"],
      ["unified", 2, "", ""],
    ]);
    expect(isUnifiedOnly(found)).toBe(false);
  });

  test("a v2-only host: one tree with its controllers", () => {
    const found = parseHierarchies(UNIFIED, () => ["cpuset", "cpu", "io", "memory", "pids"]);
    expect(found).toHaveLength(1);
    expect(found[0].controllers).toContain("memory");
    expect(isUnifiedOnly(found)).toBe(true);
  });
});

const limits = checkResources({ Memory: 64 << 20, MemorySwap: 128 << 20, MemoryReservation: 32 << 20, CpuShares: 512, NanoCpus: 5e8, CpusetCpus: "0", PidsLimit: 20, BlkioWeight: 300 });
const device = () => "8:0";

describe("settings", () => {
  test("v1: Docker's files and values", () => {
    const files = Object.fromEntries(v1Settings(limits, device, () => true).map((s) => [s.file, s.value]));
    expect(files).toEqual({
      "memory.limit_in_bytes": String(64 << 20),
      "memory.memsw.limit_in_bytes": String(128 << 20),
      "memory.soft_limit_in_bytes": String(32 << 20),
      "cpu.shares": "512",
      "cpu.cfs_period_us": "100000",
      "cpu.cfs_quota_us": "50000",
      "cpuset.cpus": "0",
      "pids.max": "20",
      "blkio.weight": "300",
    });
  });

  test("v2: the unified files, with the kernel's conversions (swap alone, weights)", () => {
    const files = Object.fromEntries(v2Settings({ ...limits, BlkioDeviceReadBps: [{ Path: "/dev/sda", Rate: 1048576 }] }, device).map((s) => [s.file, s.value]));
    expect(files).toEqual({
      "memory.max": String(64 << 20),
      "memory.swap.max": String(64 << 20),
      "memory.low": String(32 << 20),
      "cpu.weight": String(sharesToWeight(512)),
      "cpu.max": "50000 100000",
      "cpuset.cpus": "0",
      "pids.max": "20",
      "io.weight": `default ${blkioToIoWeight(300)}`,
      "io.max": "8:0 rbps=1048576",
    });
    expect(sharesToWeight(1024)).toBe(39); // runc's conversion of Docker's default shares
    expect(sharesToWeight(2)).toBe(1);
    expect(sharesToWeight(262144)).toBe(10000);
  });

  test("no limits: only pids.max, unlimited", () => {
    expect(v1Settings(NO_LIMITS, device, () => true)).toEqual([{ controller: "pids", file: "pids.max", value: "max" }]);
    expect(v2Settings({ ...NO_LIMITS, MemorySwap: -1, Memory: 0 }, device).map((s) => s.file)).toEqual(["memory.swap.max", "pids.max"]);
  });

  test("a fake v2 tree: the container cgroup is made with its controllers enabled on every ancestor, and its limits written", () => {
    const root = mkdtempSync("/tmp/bunker-fake-cgroup-");
    writeFileSync(join(root, "cgroup.controllers"), "cpuset cpu io memory pids");
    const gated: [string, number][] = [];
    const gate = (dir: string, rules: unknown[]) => gated.push([dir, rules.length]);
    const cgroups = new ContainerCgroups("bunker", parseHierarchies(`1 0 0:1 / ${root} rw - cgroup2 cgroup2 rw`, () => ["cpu", "memory", "pids"]), gate);
    mkdirSync(join(root, "bunker"));
    const procs = cgroups.create("bunker/c1", checkResources({ Memory: 64 << 20, PidsLimit: 5 }), [{ type: "c", major: 10, minor: 229, access: "rwm" }]);
    // The default rules and the one given, as the v2 device gate (an eBPF program on a real host).
    expect(gated).toEqual([[join(root, "bunker/c1"), DEFAULT_DEVICE_RULES.length + 1]]);
    expect(procs).toEqual([join(root, "bunker/c1/cgroup.procs")]);
    expect(readFileSync(join(root, "cgroup.subtree_control"), "utf8")).toBe("+cpu +memory +pids");
    expect(readFileSync(join(root, "bunker/cgroup.subtree_control"), "utf8")).toBe("+cpu +memory +pids");
    expect(readFileSync(join(root, "bunker/c1/memory.max"), "utf8")).toBe(String(64 << 20));
    expect(readFileSync(join(root, "bunker/c1/pids.max"), "utf8")).toBe("5");
    expect(cgroups.version).toBe(2);
    expect(cgroups.mounts()).toEqual([{ dir: "", fstype: "cgroup2", options: "" }]);
    rmSync(root, { recursive: true });
  });
});

describe("a fake v2 tree: stats and the freezer read and write the unified files", () => {
  test("a stats sample from cpu.stat, memory.*, pids.* and io.stat; pause through cgroup.freeze", async () => {
    const root = mkdtempSync("/tmp/bunker-fake-cgroup-");
    const dir = join(root, "bunker/c1");
    mkdirSync(dir, { recursive: true });
    const files: Record<string, string> = {
      "cpu.stat": "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 4\nnr_throttled 1\nthrottled_usec 20\n",
      "memory.current": "4096\n",
      "memory.max": "max\n",
      "memory.stat": "anon 1024\nfile 2048\ninactive_file 512\n",
      "pids.current": "3\n",
      "pids.max": "20\n",
      "io.stat": "8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n",
      "cgroup.events": "populated 1\nfrozen 1\n",
      "cgroup.freeze": "0\n",
    };
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    const cgroups = new ContainerCgroups("bunker", parseHierarchies(`1 0 0:1 / ${root} rw - cgroup2 cgroup2 rw`, () => ["cpu", "memory", "pids", "io"]), () => {});
    const reader = new StatsReader(cgroups, "bunker/c1", process.pid);
    const sample = reader.sample();
    reader.close();
    expect(sample.cpu_stats.cpu_usage).toEqual({ total_usage: 1_500_000, usage_in_kernelmode: 500_000, usage_in_usermode: 1_000_000 });
    expect(sample.cpu_stats.throttling_data).toEqual({ periods: 4, throttled_periods: 1, throttled_time: 20_000 });
    expect(sample.memory_stats.usage).toBe(4096);
    expect(sample.memory_stats.stats).toEqual({ anon: 1024, file: 2048, inactive_file: 512 });
    expect(sample.pids_stats).toEqual({ current: 3, limit: 20 });
    expect(sample.blkio_stats.io_service_bytes_recursive).toEqual([{ major: 8, minor: 0, op: "read", value: 100 }, { major: 8, minor: 0, op: "write", value: 200 }]);
    await freeze(cgroups, "bunker/c1", "c1");
    expect(readFileSync(join(dir, "cgroup.freeze"), "utf8")).toBe("1");
    thaw(cgroups, "bunker/c1", "c1");
    expect(readFileSync(join(dir, "cgroup.freeze"), "utf8")).toBe("0");
    rmSync(root, { recursive: true });
  });
});

describe("checks", () => {
  test("Docker's defaults and refusals", () => {
    expect(checkResources({ Memory: 32 << 20 }).MemorySwap).toBe(64 << 20);
    expect(checkResources({ PidsLimit: -1 }).PidsLimit).toBeNull();
    expect(() => checkResources({ Memory: 1024 })).toThrow("Minimum memory limit allowed is 6MB");
    expect(() => checkResources({ MemorySwap: 1 << 30 })).toThrow("You should always set the Memory limit when using Memoryswap limit");
    expect(() => checkResources({ NanoCpus: 5e8, CpuPeriod: 1000 })).toThrow("Nano CPUs and CPU Period cannot both be set");
    expect(() => checkResources({ CpuPeriod: 10 })).toThrow("CPU cfs period can not be less than 1ms");
    expect(() => checkResources({ BlkioWeight: 5 })).toThrow("Range of blkio weight is from 10 to 1000");
    expect(() => checkResources({ CpusetCpus: "a-b" })).toThrow("Invalid value a-b for cpuset cpus");
  });

  test("an update keeps what it does not name, and raising memory past the default swap moves the swap with it", () => {
    const base = checkResources({ Memory: 32 << 20, CpuShares: 512 });
    const updated = checkResources({ Memory: 96 << 20 }, base);
    expect(updated.CpuShares).toBe(512);
    expect(updated.MemorySwap).toBe(192 << 20);
  });
});
