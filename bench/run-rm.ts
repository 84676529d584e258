/**
 * `run --rm base true`, end to end (client start to client exit), on bunker and on Docker on the
 * same machine, with the same busybox image and no networking on either. Then the engines'
 * memory with 20 detached containers running. Prints medians and ratios.
 *
 *   bun bench/run-rm.ts [runs]        (root; dockerd from Debian's docker.io for the comparison)
 */
import { readFileSync } from "node:fs";
import { BIN, TestDaemon } from "../test/integration/harness.ts";
import { Dockerd } from "./dockerd.ts";
import { median, timeRuns } from "./timing.ts";

const RUNS = Number(process.argv[2] ?? 30);
const DETACHED = 20;

function rssKb(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    total += match ? Number(match[1]) : 0;
  }
  return total;
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;

const bunker = await TestDaemon.withBase("bench");
const dockerd = Dockerd.available() ? new Dockerd() : undefined;
try {
  const results: [string, number][] = [];
  results.push(["bunker CLI -> bunker", median(timeRuns([BIN, "-H", bunker.host, "run", "--rm", "base", "true"], RUNS))]);
  if (Bun.which("docker")) {
    results.push(["docker CLI -> bunker", median(timeRuns(["docker", "run", "--rm", "--network", "none", "base", "true"], RUNS, { DOCKER_HOST: bunker.host }))]);
  }
  let dockerMedian: number | undefined;
  if (dockerd) {
    await dockerd.start();
    await dockerd.importBase();
    dockerMedian = median(timeRuns(["docker", "run", "--rm", "--network", "none", "base", "true"], RUNS, { DOCKER_HOST: dockerd.host }));
    results.push(["docker CLI -> dockerd", dockerMedian]);
  }

  console.log(`run --rm base true: median of ${RUNS} runs (after 3 warm-up runs)`);
  for (const [name, ms] of results) {
    const ratio = dockerMedian && !name.endsWith("dockerd") ? `   ${(dockerMedian / ms).toFixed(2)}x faster than Docker` : "";
    console.log(`  ${name.padEnd(24)} ${fmt(ms).padStart(10)}${ratio}`);
  }

  // Memory with containers running: bunker has only its daemon; Docker has dockerd, containerd and a shim each.
  for (let i = 0; i < DETACHED; i++) Bun.spawnSync([BIN, "-H", bunker.host, "run", "-d", "base", "sleep", "600"]);
  await Bun.sleep(500);
  const bunkerKb = rssKb([bunker.pid!]);
  console.log(`\nwith ${DETACHED} detached containers running (RSS):`);
  console.log(`  bunker daemon            ${mb(bunkerKb).padStart(10)}   (1 process: the daemon; no per-container process)`);
  if (dockerd) {
    for (let i = 0; i < DETACHED; i++) dockerd.docker("run", "-d", "--network", "none", "base", "sleep", "600");
    await Bun.sleep(500);
    const pids = dockerd.enginePids();
    const dockerKb = rssKb(pids);
    console.log(`  dockerd+containerd+shims ${mb(dockerKb).padStart(10)}   (${pids.length} processes)   bunker uses ${(bunkerKb / dockerKb).toFixed(2)}x Docker's memory`);
    const ids = dockerd.docker("ps", "-q").trim().split("\n").filter(Boolean);
    if (ids.length) dockerd.docker("rm", "-f", ...ids);
  }
} finally {
  await bunker.cleanup();
  await dockerd?.stop();
}
