/**
 * A published port's two paths, side by side on one bunker daemon: kernel DNAT (the daemon's
 * nftables table), taken by a client in another network namespace ("another host") connecting
 * to the host's address, and the in-process proxy, taken by a client on the host connecting to
 * 127.0.0.1. The same C client (./tcp-send.c) sends MB megabytes to a C receiver in the
 * container (./tcp-sink.c, built static and bound in) and stops the clock at its "done", so
 * neither end is what is measured; runs alternate. Prints each run, the medians and DNAT/proxy.
 *
 * With STREAMS above 1, that many clients send at once and the rate is their total over the
 * wall-clock time of all (each client's process start included, the same on both paths).
 *
 *   bun bench/dnat.ts [runs] [MB] [STREAMS]        (root)
 */
import { join } from "node:path";
import { TestDaemon, run } from "../test/integration/harness.ts";
import { TestBridge } from "../test/integration/test-bridge.ts";
import { TestNetns } from "../test/integration/test-netns.ts";
import { median } from "./timing.ts";

const RUNS = Number(process.argv[2] ?? 5);
const MEGABYTES = Number(process.argv[3] ?? 500);
const STREAMS = Number(process.argv[4] ?? 1);
const PORT = 18_000 + Math.floor(Math.random() * 1000);

function compile(source: string, output: string): string {
  const built = Bun.spawnSync(["cc", "-static", "-O2", "-o", output, join(import.meta.dir, source)]);
  if (built.exitCode !== 0) throw new Error(`cannot build ${source}: ${built.stderr}`);
  return output;
}

/** STREAMS transfers of `bytes` each to host:PORT at once, the clients run under `prefix` (in the namespace, or not); MB/s in all. */
async function send(sender: string, prefix: string[], host: string, bytes: number): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: STREAMS }, async () => {
      const result = await run([...prefix, sender, host, String(PORT), String(bytes)]);
      const reply = result.stdout.split(" ")[1];
      if (result.code !== 0 || !reply?.startsWith("done")) throw new Error(`the transfer to ${host} was not acknowledged: ${result.stdout}${result.stderr}`);
    }),
  );
  return (STREAMS * bytes) / 1e6 / ((performance.now() - started) / 1000);
}

const bridge = new TestBridge();
const outside = new TestNetns();
let daemon: TestDaemon | undefined;
const rates = { dnat: [] as number[], proxy: [] as number[] };
try {
  await outside.create();
  daemon = await TestDaemon.withBase("bench-dnat", bridge.daemonArgs(24));
  const sink = compile("tcp-sink.c", join(daemon.dir, "tcp-sink"));
  const sender = compile("tcp-send.c", join(daemon.dir, "tcp-send"));
  await daemon.bunkerOk("run", "-d", "-p", `${PORT}:5000`, "-v", `${sink}:/tcp-sink:ro`, "base", "/tcp-sink", "5000");
  const inNetns = ["ip", "netns", "exec", outside.name];
  const paths = { dnat: () => send(sender, inNetns, outside.hostAddress, MEGABYTES * 1e6), proxy: () => send(sender, [], "127.0.0.1", MEGABYTES * 1e6) };
  for (const path of Object.values(paths)) for (let i = 0; i < 50; i++) if (await path().then(() => true, () => false)) break;
  console.log(`published port: ${MEGABYTES} MB bulk TCP on each of ${STREAMS} connections, C clients to a C receiver; median of ${RUNS} runs, the paths interleaved`);
  for (let i = 0; i < RUNS; i++) {
    rates.dnat.push(await paths.dnat());
    rates.proxy.push(await paths.proxy());
  }
} finally {
  try {
    await daemon?.cleanup();
  } finally {
    await outside.remove();
    await bridge.remove();
  }
}
for (const [name, list] of Object.entries(rates)) console.log(`  ${name.padEnd(6)} runs: ${list.map((r) => r.toFixed(0)).join(", ")} MB/s`);
const [dnat, proxy] = [median(rates.dnat), median(rates.proxy)];
console.log(`\nkernel DNAT ${dnat.toFixed(0)} MB/s, in-process proxy ${proxy.toFixed(0)} MB/s: ${(dnat / proxy).toFixed(2)}x`);
