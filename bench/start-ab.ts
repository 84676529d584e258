/**
 * What a change costs each container start: `run --rm base true` through two builds of bunker,
 * each with its own daemon, in pairs whose order alternates (A B, B A, A B…) so neither the
 * machine's drift nor going second favours one side. Prints each median and the difference;
 * the same binary on both sides shows the noise floor.
 *
 *   bun bench/start-ab.ts BEFORE_BINARY AFTER_BINARY [runs]   (root)
 */
import { TestDaemon } from "../test/integration/harness.ts";
import { median, timeRuns } from "./timing.ts";

const [before, after, runsArg] = process.argv.slice(2);
if (!before || !after) throw new Error("usage: bun bench/start-ab.ts BEFORE_BINARY AFTER_BINARY [runs]");
const RUNS = Number(runsArg ?? 100);

const daemons = [await TestDaemon.withBase("ab-before", undefined, before), await TestDaemon.withBase("ab-after", undefined, after)];
try {
  const runOnce = (daemon: TestDaemon, warmup: number) => timeRuns([daemon.binary, "-H", daemon.host, "run", "--rm", "base", "true"], warmup ? 0 : 1, {}, warmup);
  for (const daemon of daemons) runOnce(daemon, 5);
  const times: number[][] = [[], []];
  for (let run = 0; run < RUNS; run++) {
    for (const i of run % 2 ? [1, 0] : [0, 1]) times[i].push(...runOnce(daemons[i], 0));
  }
  const [a, b] = times.map(median);
  console.log(`run --rm base true, ${RUNS} runs each, interleaved`);
  console.log(`  before  ${a.toFixed(1)} ms   (${before})`);
  console.log(`  after   ${b.toFixed(1)} ms   (${after})`);
  console.log(`  change  ${(b - a >= 0 ? "+" : "")}${(b - a).toFixed(1)} ms`);
} finally {
  for (const daemon of daemons) await daemon.cleanup();
}
