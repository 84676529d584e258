/**
 * The daemon's CPU while clients follow the stats of 50 running containers (one stream each,
 * as `docker stats` opens them), on bunker and on Docker on the same machine: CPU time of the
 * engine's processes (bunker: the daemon; Docker: dockerd, containerd and the shims) over a
 * fixed window, as a share of one core. Prints both and the ratio.
 *
 *   bun bench/stats.ts [containers] [seconds]   (root; dockerd from Debian's docker.io)
 */
import { readdirSync, readFileSync } from "node:fs";
import { TestDaemon } from "../test/integration/harness.ts";
import { Dockerd } from "./dockerd.ts";

const CONTAINERS = Number(process.argv[2] ?? 50);
const SECONDS = Number(process.argv[3] ?? 10);
const TICKS = 100;

/** utime + stime of `pids`, in clock ticks. */
function cpuTicks(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return total;
}

/** dockerd, containerd and every containerd-shim: where Docker's stats cost lands. */
function dockerPids(dockerdPid: number): number[] {
  const pids = [dockerdPid];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, "utf8").trim();
      if (comm === "containerd" || comm.startsWith("containerd-shim")) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

async function measure(host: string, socket: string, pids: () => number[]): Promise<number> {
  const env = { ...process.env, DOCKER_HOST: host };
  const ids: string[] = [];
  for (let i = 0; i < CONTAINERS; i++) {
    const started = Bun.spawnSync(["docker", "run", "-d", "--network", "none", "base", "sleep", "600"], { env });
    if (started.exitCode !== 0) throw new Error(started.stderr.toString());
    ids.push(started.stdout.toString().trim());
  }
  const controller = new AbortController();
  const streams = ids.map(async (id) => {
    const response = await fetch(`http://localhost/containers/${id}/stats?stream=1`, { unix: socket, signal: controller.signal } as RequestInit);
    try {
      for await (const _ of response.body!) {
        // read and drop, as a client would render it
      }
    } catch {
      // aborted
    }
  });
  await Bun.sleep(3000); // every stream past its first sample
  const before = cpuTicks(pids());
  await Bun.sleep(SECONDS * 1000);
  const share = (cpuTicks(pids()) - before) / TICKS / SECONDS;
  controller.abort();
  await Promise.allSettled(streams);
  Bun.spawnSync(["docker", "rm", "-f", ...ids], { env });
  return share;
}

const pct = (share: number) => `${(share * 100).toFixed(1)}% of one core`;
const bunker = await TestDaemon.withBase("bench-stats");
const dockerd = new Dockerd();
try {
  const ours = await measure(bunker.host, bunker.socket, () => [bunker.pid!]);
  await dockerd.start();
  await dockerd.importBase();
  const theirs = await measure(dockerd.host, dockerd.socket, () => dockerPids(dockerd.pid));
  console.log(`engine CPU while streaming stats of ${CONTAINERS} containers, over ${SECONDS} s`);
  console.log(`  bunker daemon                    ${pct(ours)}`);
  console.log(`  dockerd + containerd + shims     ${pct(theirs)}`);
  console.log(`  ratio                            ${(ours / theirs).toFixed(2)}x of Docker's CPU`);
} finally {
  await bunker.cleanup();
  await dockerd.stop();
}
