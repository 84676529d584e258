/**
 * export and import throughput of a ~500 MB root filesystem, on bunker and on Docker on the
 * same machine: busybox plus generated files (a few large, many small, random bytes), imported
 * as an image, a container created from it, then `export > /dev/null` and `import` of the
 * exported tarball, each timed end to end through the engine's own CLI. Prints MB/s and ratios.
 *
 *   bun bench/export-import.ts [runs]        (root; dockerd from Debian's docker.io for the comparison)
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { BIN, makeBusyboxTarball, TestDaemon } from "../test/integration/harness.ts";
import { Dockerd } from "./dockerd.ts";
import { median } from "./timing.ts";

const RUNS = Number(process.argv[2] ?? 3);
const LARGE_FILES = 40; // 8 MB each
const SMALL_FILES = 4000; // 4-60 KB each

function sh(script: string, env: Record<string, string> = {}): void {
  const r = Bun.spawnSync(["sh", "-c", script], { env: { ...process.env, ...env } });
  if (r.exitCode !== 0) throw new Error(`${script} failed: ${r.stderr.toString()}`);
}

/** Seconds taken by `script`, one sample per run. */
function timed(script: string, env: Record<string, string> = {}): number[] {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    sh(script, env);
    samples.push((performance.now() - started) / 1000);
  }
  return samples;
}

/** A busybox rootfs with generated content, as a tarball; returns its path. */
function makeRootfs(dir: string): string {
  const tree = join(dir, "tree");
  mkdirSync(tree);
  sh(`tar -xf ${makeBusyboxTarball(join(dir, "busybox.tar"))} -C ${tree}`);
  mkdirSync(join(tree, "data/large"), { recursive: true });
  for (let i = 0; i < LARGE_FILES; i++) writeFileSync(join(tree, "data/large", `blob${i}`), randomBytes(8 << 20));
  for (let i = 0; i < SMALL_FILES; i++) {
    const sub = join(tree, "data/small", String(i % 40));
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `file${i}`), randomBytes(4096 + ((i * 7919) % 15) * 4096));
  }
  const tarball = join(dir, "rootfs.tar");
  sh(`tar --numeric-owner -C ${tree} -cf ${tarball} .`);
  rmSync(tree, { recursive: true, force: true });
  return tarball;
}

interface Engine {
  name: string;
  /** The engine's CLI as a shell prefix. */
  cli: string;
  env: Record<string, string>;
}

function measure(engine: Engine, tarball: string, work: string): { exportMBs: number; importMBs: number; exportedBytes: number } {
  const { cli, env } = engine;
  sh(`${cli} import ${tarball} bench-rootfs >/dev/null`, env);
  const container = Bun.spawnSync(["sh", "-c", `${cli} create bench-rootfs true`], { env: { ...process.env, ...env } }).stdout.toString().trim();
  const exported = join(work, `${engine.name}-export.tar`);
  sh(`${cli} export ${container} > ${exported}`, env);
  const exportedBytes = statSync(exported).size;
  const exportSeconds = median(timed(`${cli} export ${container} > /dev/null`, env));
  // The same tarball each time: both engines extract it in full again and move the tag.
  const importSeconds = median(timed(`${cli} import ${exported} bench-imported >/dev/null`, env));
  rmSync(exported, { force: true });
  return { exportMBs: exportedBytes / 1e6 / exportSeconds, importMBs: exportedBytes / 1e6 / importSeconds, exportedBytes };
}

const work = mkdtempSync("/tmp/bunker-bench-export-");
const bunker = await TestDaemon.withBase("bench-export");
const dockerd = Dockerd.available() ? new Dockerd() : undefined;
try {
  const tarball = makeRootfs(work);
  console.log(`rootfs tarball: ${(statSync(tarball).size / 1e6).toFixed(0)} MB (busybox + ${LARGE_FILES} x 8 MB + ${SMALL_FILES} small files); median of ${RUNS} runs\n`);
  const results: [string, ReturnType<typeof measure>][] = [];
  results.push(["bunker", measure({ name: "bunker", cli: `${BIN} -H ${bunker.host}`, env: {} }, tarball, work)]);
  if (dockerd) {
    await dockerd.start();
    results.push(["docker", measure({ name: "docker", cli: "docker", env: { DOCKER_HOST: dockerd.host } }, tarball, work)]);
  }
  const docker = results.find(([name]) => name === "docker")?.[1];
  for (const [name, r] of results) {
    const vs = (ours: number, theirs: number | undefined) => (theirs && name !== "docker" ? `  (${(ours / theirs).toFixed(2)}x Docker)` : "");
    console.log(`${name.padEnd(8)} export ${r.exportMBs.toFixed(0).padStart(5)} MB/s${vs(r.exportMBs, docker?.exportMBs)}   import ${r.importMBs.toFixed(0).padStart(5)} MB/s${vs(r.importMBs, docker?.importMBs)}`);
  }
} finally {
  await bunker.cleanup();
  await dockerd?.stop();
  rmSync(work, { recursive: true, force: true });
}
