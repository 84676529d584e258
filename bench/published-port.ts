/**
 * Traffic through a published port on loopback, on bunker (its in-process proxy) and on Docker
 * (dockerd with its default bridge networking and userland docker-proxy), same busybox image:
 *   1. bulk TCP throughput: the bench sends MB megabytes to 127.0.0.1:<hostport>, published to a
 *      busybox `nc -ll -p 5000 -e sh -c 'cat >/dev/null; echo done'` in a container, and stops
 *      the clock when the container's "done" comes back (every byte reached the container);
 *   2. the request rate of busybox `httpd -f -p 80` serving a small index.html: REQUESTS
 *      HTTP/1.0 GETs (one connection each; httpd closes it) with CONCURRENCY in flight.
 * Bunker's daemon runs on a bridge this script creates (bk-<random>, a /24 in 10.x) and
 * deletes; the throw-away dockerd uses docker0, removed at the end if it was not there before.
 * Both engines serve at once and their runs alternate, so other load on the machine falls on
 * both alike. Prints each run, the medians and the bunker/Docker ratios.
 *
 *   bun bench/published-port.ts [runs] [MB]        (root; dockerd from Debian's docker.io for the comparison)
 *   BENCH_ENGINES=docker bun bench/published-port.ts   (one engine only: bunker or docker)
 */
import { BIN, run, TestDaemon } from "../test/integration/harness.ts";
import { Dockerd } from "./dockerd.ts";
import { median } from "./timing.ts";
import { exchange } from "./tcp-exchange.ts";
import { TestBridge } from "../test/integration/test-bridge.ts";

const RUNS = Number(process.argv[2] ?? 3);
const MEGABYTES = Number(process.argv[3] ?? 500);
const REQUESTS = 2000;
const CONCURRENCY = 16;
const ENGINES = (process.env.BENCH_ENGINES ?? "bunker,docker").split(",");

const bridge = new TestBridge();

const NC_SERVER = ["nc", "-ll", "-p", "5000", "-e", "sh", "-c", "cat >/dev/null; echo done"];
const HTTP_SERVER = ["sh", "-c", "mkdir -p /www && echo '<html><body>bunker bench</body></html>' > /www/index.html && exec httpd -f -p 80 -h /www"];

/** A host port free on 127.0.0.1 right now. */
function freePort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = listener;
  listener.stop(true);
  return port;
}

/** Retries `probe` until it holds: the proxy may accept before the server in the container listens. */
async function ready(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch {
      // not yet
    }
    await Bun.sleep(100);
  }
  throw new Error(`${what} did not answer through its published port`);
}

const GET = "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
const ok = (reply: string) => /^HTTP\/1\.[01] 200/.test(reply);

/** REQUESTS GETs, CONCURRENCY at a time; requests per second. */
async function httpLoad(port: number): Promise<number> {
  let next = 0;
  let failed = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < REQUESTS) {
      next++;
      const { reply } = await exchange("127.0.0.1", port, 0, GET, 10_000);
      if (!ok(reply)) failed++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  if (failed) throw new Error(`${failed} of ${REQUESTS} requests failed`);
  return REQUESTS / seconds;
}

interface Engine {
  name: string;
  cli: string[];
  env: Record<string, string>;
}

async function cli(engine: Engine, ...args: string[]): Promise<string> {
  const r = await run([...engine.cli, ...args], engine.env);
  if (r.code !== 0) throw new Error(`${engine.name} ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r.stdout.trim();
}

interface Servers {
  engine: Engine;
  ncPort: number;
  httpPort: number;
  ids: string[];
  rates: number[];
  rps: number[];
}

/** Starts the nc and httpd containers with their published ports, waits until both answer, warms up. */
async function serve(engine: Engine): Promise<Servers> {
  const ncPort = freePort();
  const ids = [await cli(engine, "run", "-d", "-p", `127.0.0.1:${ncPort}:5000`, "base", ...NC_SERVER)];
  const httpPort = freePort();
  ids.push(await cli(engine, "run", "-d", "-p", `127.0.0.1:${httpPort}:80`, "base", ...HTTP_SERVER));
  await ready(`${engine.name} nc`, async () => (await exchange("127.0.0.1", ncPort, 0, undefined, 2000)).reply.includes("done"));
  await ready(`${engine.name} httpd`, async () => ok((await exchange("127.0.0.1", httpPort, 0, GET, 2000)).reply));
  await exchange("127.0.0.1", ncPort, 50e6);
  await httpLoad(httpPort);
  return { engine, ncPort, httpPort, ids, rates: [], rps: [] };
}

async function transferRun(s: Servers): Promise<void> {
  const bytes = MEGABYTES * 1e6;
  const { reply, ms } = await exchange("127.0.0.1", s.ncPort, bytes);
  if (!reply.includes("done")) throw new Error(`${s.engine.name}: the transfer was not acknowledged`);
  s.rates.push(bytes / 1e6 / (ms / 1000));
}

console.log(`published port on 127.0.0.1: ${MEGABYTES} MB bulk TCP to busybox nc; ${REQUESTS} GETs, ${CONCURRENCY} concurrent, to busybox httpd; median of ${RUNS} runs, the engines' runs interleaved`);
const servers: Servers[] = [];
let bunker: TestDaemon | undefined;
let dockerd: Dockerd | undefined;
try {
  if (ENGINES.includes("bunker")) {
    bunker = await TestDaemon.withBase("bench-port", bridge.daemonArgs(24));
    servers.push(await serve({ name: "bunker", cli: [BIN, "-H", bunker.host], env: {} }));
  }
  if (ENGINES.includes("docker") && Dockerd.available()) {
    dockerd = new Dockerd({ bridge: true });
    await dockerd.start();
    const env = { DOCKER_HOST: dockerd.host };
    await dockerd.importBase();
    servers.push(await serve({ name: "docker", cli: ["docker"], env }));
  }
  // Alternating engines run by run, so load elsewhere on the machine falls on both alike.
  for (let i = 0; i < RUNS; i++) for (const s of servers) await transferRun(s);
  for (let i = 0; i < RUNS; i++) for (const s of servers) s.rps.push(await httpLoad(s.httpPort));
  for (const s of servers) {
    console.log(`  ${s.engine.name.padEnd(8)} runs: ${s.rates.map((r) => r.toFixed(0)).join(", ")} MB/s; ${s.rps.map((r) => r.toFixed(0)).join(", ")} req/s`);
  }
} finally {
  for (const s of servers) await run([...s.engine.cli, "rm", "-f", ...s.ids], s.engine.env);
  try {
    if (bunker) await bunker.cleanup();
  } finally {
    if (ENGINES.includes("bunker")) await bridge.remove();
    await dockerd?.stop();
  }
}
const results: [string, { mbs: number; rps: number }][] = servers.map((s) => [s.engine.name, { mbs: median(s.rates), rps: median(s.rps) }]);

console.log("");
const docker = results.find(([name]) => name === "docker")?.[1];
for (const [name, r] of results) {
  const vs = (ours: number, theirs: number | undefined) => (theirs && name !== "docker" ? `  (${(ours / theirs).toFixed(2)}x Docker)` : "");
  console.log(`${name.padEnd(8)} bulk TCP ${r.mbs.toFixed(0).padStart(6)} MB/s${vs(r.mbs, docker?.mbs)}   httpd ${r.rps.toFixed(0).padStart(6)} req/s${vs(r.rps, docker?.rps)}`);
}
