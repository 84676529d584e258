/**
 * Pull and push of a ~340 MB, 4-layer image (two layers of random bytes, two of compressible
 * text), bunker side by side with Docker on the same machine and the same local registry
 * (Debian's docker-registry on 127.0.0.1). Docker builds the image and pushes it; then each
 * engine in turn removes it and pulls it again, `runs` times; the medians and their ratio are
 * printed. Push: each engine pushes the image it pulled to a fresh, empty registry, so every
 * layer is compressed and uploaded.
 *
 *   bun bench/pull-push.ts [runs]        (root; dockerd from docker.io, docker-registry)
 */
import { join } from "node:path";
import { BIN, makeBusyboxTarball, TestDaemon } from "../test/integration/harness.ts";
import { TestRegistry } from "../test/integration/registry-server.ts";
import { Dockerd } from "./dockerd.ts";
import { median } from "./timing.ts";

const RUNS = Number(process.argv[2] ?? 3);
const LAYER_BYTES = 85_000_000;

function sh(argv: string[], env: Record<string, string> = {}): string {
  const r = Bun.spawnSync(argv, { env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr.toString()}${r.stdout.toString()}`);
  return r.stdout.toString();
}

function seconds(work: () => void): number {
  const started = performance.now();
  work();
  return (performance.now() - started) / 1000;
}

const dockerd = new Dockerd();
const bunker = new TestDaemon("bench-pull");
const registry = await TestRegistry.start();
try {
  await dockerd.start();
  await bunker.start();
  const onDocker = (...args: string[]) => sh(["docker", ...args], { DOCKER_HOST: dockerd.host });
  const onBunker = (...args: string[]) => sh([BIN, "-H", bunker.host, ...args]);
  const image = `${registry.host}/bench:1`;

  // The image, made by Docker: busybox, then three commits of 85 MB each.
  onDocker("import", makeBusyboxTarball(join(dockerd.dir, "busybox.tar")), "bench-base");
  const steps = [
    `head -c ${LAYER_BYTES} /dev/urandom > /random1`,
    `head -c ${LAYER_BYTES} /dev/urandom > /random2`,
    `seq 1 20000000 | head -c ${2 * LAYER_BYTES} > /text`,
  ];
  let parent = "bench-base";
  for (const [i, step] of steps.entries()) {
    onDocker("run", "--network", "none", "--name", `bench-step${i}`, parent, "sh", "-c", step);
    parent = `bench-step:${i}`;
    onDocker("commit", `bench-step${i}`, parent);
    onDocker("rm", `bench-step${i}`);
  }
  onDocker("tag", parent, image);
  onDocker("push", image);
  const size = Number(onDocker("image", "inspect", "--format", "{{.Size}}", image).trim());
  onDocker("rmi", image, ...steps.map((_, i) => `bench-step:${i}`), "bench-base");
  console.log(`image: ${(size / 1e6).toFixed(0)} MB in ${steps.length + 1} layers`);

  const pulls = { bunker: [] as number[], docker: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    pulls.bunker.push(seconds(() => onBunker("pull", image)));
    onBunker("rmi", image);
    pulls.docker.push(seconds(() => onDocker("pull", image)));
    onDocker("rmi", image);
  }
  onBunker("pull", image);
  onDocker("pull", image);

  const pushes = { bunker: [] as number[], docker: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    for (const [engine, cli] of [["bunker", onBunker], ["docker", onDocker]] as const) {
      const fresh = await TestRegistry.start();
      try {
        const target = `${fresh.host}/bench:1`;
        cli("tag", image, target);
        pushes[engine].push(seconds(() => cli("push", target)));
        cli("rmi", target);
      } finally {
        await fresh.stop();
      }
    }
  }

  const report = (what: string, samples: { bunker: number[]; docker: number[] }) => {
    const ours = median(samples.bunker);
    const theirs = median(samples.docker);
    console.log(`${what}: bunker ${ours.toFixed(2)} s, Docker ${theirs.toFixed(2)} s, ratio ${(ours / theirs).toFixed(2)}x  (bunker ${samples.bunker.map((s) => s.toFixed(2)).join(" ")}; Docker ${samples.docker.map((s) => s.toFixed(2)).join(" ")})`);
  };
  report(`pull (median of ${RUNS})`, pulls);
  report(`push (median of ${RUNS})`, pushes);
} finally {
  await bunker.cleanup().catch((error) => console.error(error));
  await dockerd.stop();
  await registry.stop();
}
