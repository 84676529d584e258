/**
 * Limits, stats and pause on real containers: the kernel enforces what `run` asks (memory to
 * the OOM killer, pids, a CPU quota), the cgroup files and inspect show it, `update` changes
 * it live, `stats` reports it to bunker's CLI, the docker CLI and docker-py, and `pause`
 * stops a container's clock. Everything a container made in its cgroups goes with it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { bunkerCgroups, eventually, run, TestDaemon } from "./harness.ts";

let daemon: TestDaemon;

beforeAll(async () => {
  daemon = await TestDaemon.withBase("resources");
}, 60_000);
afterAll(async () => {
  await daemon?.cleanup();
});

const idOf = async (name: string) => (await daemon.bunkerOk("inspect", "-f", "{{.Id}}", name)).trim();
const cgroupFile = (id: string, controller: string, file: string) => readFileSync(join("/sys/fs/cgroup", controller, "bunker", id, file), "utf8").trim();

describe("limits", () => {
  test("-m 32m on a container that allocates 100 MB: killed, exit 137, OOMKilled", async () => {
    const r = await daemon.bunker("run", "--name", "hog", "-m", "32m", "base", "sh", "-c", 'x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo survived');
    expect(r.code).toBe(137);
    expect(r.stdout).not.toContain("survived");
    expect((await daemon.bunkerOk("inspect", "-f", "{{.State.OOMKilled}} {{.State.ExitCode}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}", "hog")).trim()).toBe("true 137 33554432 67108864");
    await daemon.bunkerOk("rm", "hog");
  });

  test("--pids-limit 20 stops a fork loop at 20", async () => {
    // The inner shell forks until a fork is refused, which ends it; what it started stays.
    const loop = 'sh -c "while :; do sleep 30 & done" 2>/dev/null; read n < /sys/fs/cgroup/pids/pids.current; read e < /sys/fs/cgroup/pids/pids.events; echo $n $e';
    const out = await daemon.bunker("run", "--rm", "--pids-limit", "20", "base", "sh", "-c", loop);
    const [running, , refused] = out.stdout.trim().split(" ");
    // 20 at the limit: this shell, the looping one (now gone) and 18 sleeps.
    expect(Number(running)).toBe(19);
    expect(Number(refused)).toBeGreaterThan(0);
  });

  test("--cpus 0.5 holds a busy loop near half of one core, measured from the cgroup's usage", async () => {
    const id = (await daemon.bunkerOk("run", "-d", "--cpus", "0.5", "base", "sh", "-c", "while :; do :; done")).trim();
    try {
      const usage = () => Number(cgroupFile(id, "cpuacct", "cpuacct.usage"));
      await Bun.sleep(300); // past the first period
      const [u0, t0] = [usage(), performance.now()];
      await Bun.sleep(2000);
      const share = (usage() - u0) / ((performance.now() - t0) * 1e6);
      expect(share).toBeGreaterThan(0.4);
      expect(share).toBeLessThan(0.6);
      expect(cgroupFile(id, "cpu", "cpu.cfs_quota_us")).toBe("50000");
    } finally {
      await daemon.bunkerOk("rm", "-f", id);
    }
  });

  test("-c 512 and the other limits are in the cgroup files and in inspect, as Docker names them", async () => {
    const id = (
      await daemon.bunkerOk("run", "-d", "-c", "512", "-m", "64m", "--memory-reservation", "32m", "--memory-swap", "128m", "--cpuset-cpus", "0", "--cpu-period", "50000", "--cpu-quota", "25000", "--pids-limit", "50", "--blkio-weight", "300", "--oom-score-adj", "100", "base", "sleep", "30")
    ).trim();
    try {
      expect(cgroupFile(id, "cpu", "cpu.shares")).toBe("512");
      expect(cgroupFile(id, "cpu", "cpu.cfs_period_us")).toBe("50000");
      expect(cgroupFile(id, "cpu", "cpu.cfs_quota_us")).toBe("25000");
      expect(cgroupFile(id, "cpuset", "cpuset.cpus")).toBe("0");
      expect(cgroupFile(id, "memory", "memory.limit_in_bytes")).toBe(String(64 * 1024 * 1024));
      expect(cgroupFile(id, "memory", "memory.memsw.limit_in_bytes")).toBe(String(128 * 1024 * 1024));
      expect(cgroupFile(id, "memory", "memory.soft_limit_in_bytes")).toBe(String(32 * 1024 * 1024));
      expect(cgroupFile(id, "pids", "pids.max")).toBe("50");
      // blkio.weight with CFQ, blkio.bfq.weight where BFQ is the weighted scheduler (kernels since 5.0).
      const weightFile = existsSync(join("/sys/fs/cgroup/blkio/bunker", id, "blkio.weight")) ? "blkio.weight" : "blkio.bfq.weight";
      expect(cgroupFile(id, "blkio", weightFile).split("\n")[0]).toContain("300");
      const pid = (await daemon.bunkerOk("inspect", "-f", "{{.State.Pid}}", id)).trim();
      expect(readFileSync(`/proc/${pid}/oom_score_adj`, "utf8").trim()).toBe("100");
      const shown = await daemon.bunkerOk("inspect", "-f", "{{.HostConfig.CpuShares}} {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.MemorySwap}} {{.HostConfig.CpusetCpus}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.PidsLimit}} {{.HostConfig.BlkioWeight}} {{.HostConfig.OomScoreAdj}}", id);
      expect(shown.trim()).toBe("512 67108864 33554432 134217728 0 50000 25000 50 300 100");
    } finally {
      await daemon.bunkerOk("rm", "-f", id);
    }
  });

  test("--device-read-bps and --device-write-bps become the device's throttle lines", async () => {
    // A disk of this machine (vda on these VMs); its numbers as /sys/block gives them.
    const disk = readdirSync("/sys/block").find((name) => !/^(loop|ram|zram)/.test(name)) ?? "loop0";
    const numbers = readFileSync(`/sys/block/${disk}/dev`, "utf8").trim();
    const id = (await daemon.bunkerOk("run", "-d", "--device-read-bps", `/dev/${disk}:1mb`, "--device-write-bps", `/dev/${disk}:512kb`, "base", "sleep", "30")).trim();
    try {
      expect(cgroupFile(id, "blkio", "blkio.throttle.read_bps_device")).toBe(`${numbers} 1048576`);
      expect(cgroupFile(id, "blkio", "blkio.throttle.write_bps_device")).toBe(`${numbers} 524288`);
      expect((await daemon.bunkerOk("inspect", "-f", "{{json .HostConfig.BlkioDeviceReadBps}}", id)).trim()).toBe(`[{"Path":"/dev/${disk}","Rate":1048576}]`);
    } finally {
      await daemon.bunkerOk("rm", "-f", id);
    }
  });

  test("update --memory changes a running container's limit", async () => {
    const id = (await daemon.bunkerOk("run", "-d", "-m", "32m", "base", "sleep", "30")).trim();
    try {
      await daemon.bunkerOk("update", "--memory", "96m", "--memory-swap", "-1", id);
      expect(cgroupFile(id, "memory", "memory.limit_in_bytes")).toBe(String(96 * 1024 * 1024));
      expect((await daemon.bunkerOk("inspect", "-f", "{{.HostConfig.Memory}}", id)).trim()).toBe(String(96 * 1024 * 1024));
      const docker = await daemon.docker("update", "--cpu-shares", "256", "--restart", "on-failure:3", id);
      expect(docker.code).toBe(0);
      expect(cgroupFile(id, "cpu", "cpu.shares")).toBe("256");
      expect((await daemon.bunkerOk("inspect", "-f", "{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}", id)).trim()).toBe("on-failure:3");
    } finally {
      await daemon.bunkerOk("rm", "-f", id);
    }
  });

  test("limits Docker refuses are refused with its words, and nothing is created", async () => {
    const cases: [string[], string][] = [
      [["-m", "1k"], "Minimum memory limit allowed is 6MB"],
      [["-m", "32m", "--memory-swap", "16m"], "Minimum memoryswap limit should be larger than memory limit"],
      [["--cpus", "0.5", "--cpu-quota", "1000"], "Conflicting options: Nano CPUs and CPU Quota cannot both be set"],
      [["--cpuset-cpus", "99"], "Requested CPUs are not available"],
      [["-m", "lots"], 'invalid argument "lots" for "-m, --memory" flag'],
    ];
    for (const [flags, message] of cases) {
      const r = await daemon.bunker("create", ...flags, "base", "true");
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(message);
    }
    expect((await daemon.bunkerOk("ps", "-aq")).trim()).toBe("");
  });
});

describe("stats", () => {
  test("bunker stats --no-stream and docker stats --no-stream print Docker's columns with sensible numbers", async () => {
    const id = (await daemon.bunkerOk("run", "-d", "--name", "busy", "-m", "64m", "base", "sh", "-c", "while :; do :; done")).trim();
    try {
      const row = /^[0-9a-f]{12}\s+busy\s+(\d+\.\d\d)%\s+[\d.]+[KMG]?i?B \/ 64MiB\s+\d+\.\d\d%\s+0B \/ 0B\s+\S+ \/ \S+\s+1$/m;
      for (const output of [await daemon.bunkerOk("stats", "--no-stream"), (await daemon.docker("stats", "--no-stream")).stdout]) {
        expect(output.split("\n")[0]).toMatch(/^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
        const match = row.exec(output);
        expect(match).not.toBeNull();
        expect(Number(match![1])).toBeGreaterThan(50); // a busy loop: most of a core
      }
      const formatted = await daemon.bunkerOk("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", id);
      expect(formatted.trim()).toBe("busy 1");
    } finally {
      await daemon.bunkerOk("rm", "-f", id);
    }
  });

  test("docker-py container.stats(stream=False) returns Docker's keys", async () => {
    await daemon.bunkerOk("run", "-d", "--name", "py", "base", "sleep", "30");
    try {
      const script = `import docker, json
s = docker.from_env().containers.get("py").stats(stream=False)
print(json.dumps(sorted(s)), json.dumps(sorted(s["cpu_stats"])), json.dumps(sorted(s["memory_stats"])), s["pids_stats"]["current"])`;
      const r = await run(["python3", "-c", script], { DOCKER_HOST: daemon.host });
      expect(r.stderr).toBe("");
      const [top, cpu, memory, pids] = r.stdout.trim().split(/(?<=\]) /);
      expect(JSON.parse(top)).toEqual(["blkio_stats", "cpu_stats", "id", "memory_stats", "name", "networks", "num_procs", "pids_stats", "precpu_stats", "preread", "read", "storage_stats"]);
      expect(JSON.parse(cpu)).toEqual(["cpu_usage", "online_cpus", "system_cpu_usage", "throttling_data"]);
      expect(JSON.parse(memory)).toEqual(expect.arrayContaining(["limit", "max_usage", "stats", "usage"]));
      expect(pids.trim()).toBe("1");
    } finally {
      await daemon.bunkerOk("rm", "-f", "py");
    }
  });

  test("a client leaving a stats stream ends it, and the daemon lets go of the files it read", async () => {
    const id = (await daemon.bunkerOk("run", "-d", "base", "sleep", "30")).trim();
    const openFiles = () => readdirSync(`/proc/${daemon.pid}/fd`).length;
    const before = openFiles();
    try {
      const controller = new AbortController();
      const response = await daemon.api(`/containers/${id}/stats`, { signal: controller.signal });
      const reader = response.body!.getReader();
      const first = JSON.parse(new TextDecoder().decode((await reader.read()).value!));
      expect(first.id).toBe(id);
      expect(openFiles()).toBeGreaterThan(before + 5); // the reader's cgroup files, held open while it streams
      controller.abort();
      await eventually(() => openFiles() <= before);
      expect((await (await daemon.api("/_ping")).text())).toBe("OK");
    } finally {
      await daemon.bunkerOk("rm", "-f", id);
    }
  });
});

describe("pause", () => {
  test("pause freezes the container (its counter stops), ps shows (Paused), unpause resumes it", async () => {
    await daemon.bunkerOk("run", "-d", "--name", "counter", "base", "sh", "-c", "i=0; while :; do i=$((i+1)); echo $i; sleep 0.01; done");
    try {
      const last = async () => Number((await daemon.bunkerOk("logs", "--tail", "1", "counter")).trim());
      await eventually(async () => (await last()) > 5);
      await daemon.bunkerOk("pause", "counter");
      expect(await daemon.bunkerOk("ps", "--filter", "name=counter")).toContain("(Paused)");
      expect((await daemon.bunkerOk("inspect", "-f", "{{.State.Status}} {{.State.Paused}} {{.State.Running}}", "counter")).trim()).toBe("paused true true");
      const frozen = await last();
      await Bun.sleep(500);
      expect(await last()).toBe(frozen);
      const attach = await daemon.api("/containers/counter/attach?stream=1&stdout=1", { method: "POST" });
      expect(attach.status).toBe(409);
      await daemon.bunkerOk("unpause", "counter");
      await eventually(async () => (await last()) > frozen + 5);
      expect(await daemon.bunkerOk("ps", "--filter", "name=counter")).not.toContain("(Paused)");
    } finally {
      await daemon.bunkerOk("rm", "-f", "counter");
    }
  });

  test("rm -f of a paused container kills it", async () => {
    await daemon.bunkerOk("run", "-d", "--name", "frozen", "base", "sleep", "30");
    await daemon.bunkerOk("pause", "frozen");
    await daemon.bunkerOk("rm", "-f", "frozen");
    expect((await daemon.bunkerOk("ps", "-aq")).trim()).toBe("");
  });
});

describe("cgroup parent", () => {
  test("--cgroup-parent puts the container's cgroups under that parent in every hierarchy, and rm takes them", async () => {
    const parent = `bunker-parent-test-${process.pid}`;
    const id = (await daemon.bunkerOk("run", "-d", "--cgroup-parent", parent, "-m", "48m", "base", "sleep", "30")).trim();
    const dirs = readdirSync("/sys/fs/cgroup").map((h) => join("/sys/fs/cgroup", h, parent, id));
    try {
      for (const dir of dirs) expect(existsSync(dir)).toBe(true);
      expect(readFileSync(join("/sys/fs/cgroup/memory", parent, id, "memory.limit_in_bytes"), "utf8").trim()).toBe(String(48 * 1024 * 1024));
      expect((await daemon.bunkerOk("inspect", "-f", "{{.HostConfig.CgroupParent}}", id)).trim()).toBe(parent);
      await daemon.bunkerOk("rm", "-f", id);
      for (const dir of dirs) expect(existsSync(dir)).toBe(false);
    } finally {
      for (const h of readdirSync("/sys/fs/cgroup")) if (existsSync(join("/sys/fs/cgroup", h, parent))) rmdirSync(join("/sys/fs/cgroup", h, parent));
    }
    const refused = await daemon.bunker("create", "--cgroup-parent", "../escape", "base", "true");
    expect(refused.stderr).toContain("invalid cgroup parent: ../escape");
  });
});

describe("cleanup", () => {
  test("a container that made child cgroups in every hierarchy and user namespaces leaves nothing in any hierarchy", async () => {
    const before = bunkerCgroups();
    const script = "for h in /sys/fs/cgroup/*; do mkdir -p $h/child/grandchild; done; echo $$ > /sys/fs/cgroup/pids/child/grandchild/cgroup.procs; unshare -U sleep 30 & unshare -U -m sleep 30 & sleep 0.2; echo ready; wait";
    const id = (await daemon.bunkerOk("run", "-d", "--privileged", "base", "sh", "-c", script)).trim();
    await eventually(async () => (await daemon.bunkerOk("logs", id)).includes("ready"));
    const dirs = readdirCgroups(id);
    expect(dirs.length).toBeGreaterThanOrEqual(9);
    for (const dir of dirs) expect(existsSync(join(dir, "child", "grandchild"))).toBe(true);
    await daemon.bunkerOk("rm", "-f", id);
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
    expect(bunkerCgroups()).toEqual(before);
  });
});

/** The container's cgroup in every hierarchy of the host. */
function readdirCgroups(id: string): string[] {
  return bunkerCgroups().filter((dir) => dir.endsWith(`/${id}`));
}
