/** Timing helpers the benchmarks share: wall-clock runs of a command, and their median. */

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Milliseconds of each of `runs` runs of `argv`, after a few warm-up runs; a failed run throws. */
export function timeRuns(argv: string[], runs: number, env: Record<string, string> = {}, warmup = 3): number[] {
  const times: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const started = performance.now();
    const r = Bun.spawnSync(argv, { env: { ...process.env, ...env }, stdout: "ignore" });
    const elapsed = performance.now() - started;
    if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr.toString()}`);
    if (i >= warmup) times.push(elapsed);
  }
  return times;
}
