/**
 * `build` of a 10-step Dockerfile (with a 2 MB COPY), bunker side by side with Docker's legacy
 * builder (DOCKER_BUILDKIT=0) on the same machine: the first, uncached build, then fully
 * cached rebuilds, each timed end to end through the docker CLI against each engine. Medians
 * and ratios are printed.
 *
 *   bun bench/build.ts [runs]        (root; dockerd from Debian's docker.io)
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { makeBusyboxTarball, TestDaemon } from "../test/integration/harness.ts";
import { Dockerd } from "./dockerd.ts";
import { median } from "./timing.ts";

const RUNS = Number(process.argv[2] ?? 10);
const DOCKERFILE = `FROM base
ENV APP=/app MODE=bench
WORKDIR /app
COPY payload.bin /app/payload.bin
RUN wc -c /app/payload.bin > /app/size
LABEL purpose=benchmark
EXPOSE 8080
USER nobody
ENTRYPOINT ["cat"]
CMD ["/app/size"]
`;

function sh(argv: string[], env: Record<string, string>): string {
  const r = Bun.spawnSync(argv, { env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

function timed(argv: string[], env: Record<string, string>): number {
  const started = performance.now();
  sh(argv, env);
  return performance.now() - started;
}

const context = mkdtempSync("/tmp/bunker-bench-build-");
writeFileSync(join(context, "Dockerfile"), DOCKERFILE);
writeFileSync(join(context, "payload.bin"), randomBytes(2 << 20));
const dockerd = new Dockerd();
const bunker = new TestDaemon("bench-build");
try {
  await dockerd.start();
  await bunker.start();
  const engines = { bunker: { DOCKER_HOST: bunker.host, DOCKER_BUILDKIT: "0" }, docker: { DOCKER_HOST: dockerd.host, DOCKER_BUILDKIT: "0" } };
  const tarball = makeBusyboxTarball(join(context, "..", `busybox-${process.pid}.tar`));
  for (const env of Object.values(engines)) sh(["docker", "import", tarball, "base"], env);
  rmSync(tarball);
  const results: Record<string, { uncached: number[]; cached: number[] }> = { bunker: { uncached: [], cached: [] }, docker: { uncached: [], cached: [] } };
  for (let i = 0; i < 3; i++) {
    for (const [name, env] of Object.entries(engines)) results[name].uncached.push(timed(["docker", "build", "--no-cache", "-q", "-t", "bench", context], env));
  }
  for (let i = 0; i < RUNS; i++) {
    for (const [name, env] of Object.entries(engines)) results[name].cached.push(timed(["docker", "build", "-q", "-t", "bench", context], env));
  }
  for (const kind of ["uncached", "cached"] as const) {
    const ours = median(results.bunker[kind]);
    const theirs = median(results.docker[kind]);
    console.log(`${kind} build (median of ${results.bunker[kind].length}): bunker ${ours.toFixed(1)} ms, Docker ${theirs.toFixed(1)} ms, ratio ${(ours / theirs).toFixed(2)}x`);
  }
} finally {
  await bunker.cleanup().catch((error) => console.error(error));
  await dockerd.stop();
  rmSync(context, { recursive: true, force: true });
}
