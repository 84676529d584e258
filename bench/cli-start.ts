/**
 * CLI start-up: the time from exec to exit of `version` and `ps` (a request each to the same
 * bunker daemon), bunker's CLI next to the docker CLI, and `bunker --version`, which needs no
 * daemon. Prints medians and the bunker/docker ratio (below 1: bunker's CLI is faster).
 *
 *   bun bench/cli-start.ts [runs]      (root; the docker CLI on PATH)
 */
import { BIN, TestDaemon } from "../test/integration/harness.ts";
import { median, timeRuns } from "./timing.ts";

const RUNS = Number(process.argv[2] ?? 50);
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

const daemon = new TestDaemon("bench-cli");
await daemon.start();
try {
  const docker = { DOCKER_HOST: daemon.host };
  console.log(`bunker --version (no daemon): ${fmt(median(timeRuns([BIN, "--version"], RUNS)))}`);
  for (const command of ["version", "ps"]) {
    const ours = median(timeRuns([BIN, "-H", daemon.host, command], RUNS));
    const theirs = median(timeRuns(["docker", command], RUNS, docker));
    console.log(`${command.padEnd(8)} bunker CLI ${fmt(ours)}   docker CLI ${fmt(theirs)}   ratio ${(ours / theirs).toFixed(2)}x`);
  }
} finally {
  await daemon.cleanup();
}
