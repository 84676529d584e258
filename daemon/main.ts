/** `bunker daemon`: flags, pidfile, engine, listeners, and a clean exit on SIGTERM/SIGINT. */
import { parseArgs } from "node:util";
import { unlinkSync } from "node:fs";
import type net from "node:net";
import { consola, LogLevels } from "consola";
import { Engine } from "../src/engine.ts";
import { buildApp } from "./app.ts";
import { claimPidfile, releasePidfile } from "./pidfile.ts";
import { listen, parseHost, type Listener } from "./server.ts";
import { DEFAULT_REGISTRY_OPTIONS, type RegistryOptions } from "../src/registry/types.ts";

const USAGE = `Usage: bunker daemon [OPTIONS]

  --root DIR          where images and containers live (default /var/lib/bunker)
  -H, --host ADDR     unix:///path or tcp://host:port; repeatable (default unix:///var/run/bunker.sock)
  -p, --pidfile FILE  (default /var/run/bunker.pid)
  -b, --bridge NAME   network bridge, or "none" (default bunker0)
  --bip CIDR          the bridge's address
  --insecure-registry HOST|CIDR   reach this registry over HTTP or unverified TLS; repeatable (loopback always is)
  --registry-mirror URL           try this mirror first for Docker Hub pulls; repeatable
  --max-concurrent-downloads N    layers downloaded at once (default 3)
  --max-concurrent-uploads N      layers uploaded at once (default 5)
  --certs-dir DIR     per-registry CAs and client certificates, DIR/<host[:port]>/ (default /etc/bunker/certs.d)
  --cgroup-parent DIR where containers' cgroups go, in every hierarchy (default bunker)
  --exec-opt native.cgroupdriver=cgroupfs   the cgroup driver (cgroupfs is the only one)
  -D, --debug         debug logging`;

export async function runDaemon(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        root: { type: "string", short: "g", default: "/var/lib/bunker" },
        host: { type: "string", short: "H", multiple: true },
        pidfile: { type: "string", short: "p", default: "/var/run/bunker.pid" },
        bridge: { type: "string", short: "b", default: "bunker0" },
        bip: { type: "string" },
        "insecure-registry": { type: "string", multiple: true },
        "registry-mirror": { type: "string", multiple: true },
        "max-concurrent-downloads": { type: "string", default: String(DEFAULT_REGISTRY_OPTIONS.maxConcurrentDownloads) },
        "max-concurrent-uploads": { type: "string", default: String(DEFAULT_REGISTRY_OPTIONS.maxConcurrentUploads) },
        "certs-dir": { type: "string", default: DEFAULT_REGISTRY_OPTIONS.certsDir },
        "cgroup-parent": { type: "string", default: "bunker" },
        "exec-opt": { type: "string", multiple: true },
        debug: { type: "boolean", short: "D", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      allowPositionals: false,
    }));
  } catch (err) {
    console.error(`bunker daemon: ${(err as Error).message}\n\n${USAGE}`);
    process.exit(1);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  consola.level = values.debug ? LogLevels.debug : LogLevels.info;
  // A bug in serving one request must not end every container's daemon: it is logged (and
  // fixed at its root), and the daemon serves on.
  process.on("uncaughtException", (err) => consola.error("uncaught exception (a bug):", err));
  process.on("unhandledRejection", (err) => consola.error("unhandled rejection (a bug):", err));
  let listeners: Listener[];
  let registry: RegistryOptions;
  try {
    registry = registryOptions(values);
    checkExecOpts(values["exec-opt"] ?? []);
    if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(values["cgroup-parent"]) || values["cgroup-parent"].split("/").includes("..")) {
      throw new Error(`invalid --cgroup-parent ${values["cgroup-parent"]}: a relative path such as bunker or system/bunker`);
    }
    listeners = (values.host?.length ? values.host : ["unix:///var/run/bunker.sock"]).map(parseHost);
    claimPidfile(values.pidfile);
  } catch (err) {
    consola.error((err as Error).message);
    process.exit(1);
  }
  const engine = Engine.open({ root: values.root, debug: values.debug, bridge: values.bridge, bip: values.bip, registry, cgroupParent: values["cgroup-parent"] });
  const app = buildApp(engine);
  const servers: net.Server[] = [];
  try {
    for (const where of listeners) servers.push(await listen(app, engine, where));
  } catch (err) {
    consola.error(`cannot listen: ${(err as Error).message}`);
    releasePidfile(values.pidfile);
    process.exit(1);
  }
  consola.info(`bunker daemon ready (root ${engine.options.root}, pid ${process.pid})`);

  // Containers keep running across a daemon stop; a restarted daemon adopts them again.
  const shutdown = (signal: string) => {
    consola.info(`${signal}: shutting down`);
    for (const server of servers) server.close();
    for (const where of listeners) {
      if (where.kind === "unix") {
        try {
          unlinkSync(where.path);
        } catch {
          // already gone
        }
      }
    }
    releasePidfile(values.pidfile);
    process.exit(0);
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

function registryOptions(values: {
  "insecure-registry"?: string[];
  "registry-mirror"?: string[];
  "max-concurrent-downloads": string;
  "max-concurrent-uploads": string;
  "certs-dir": string;
}): RegistryOptions {
  const count = (name: string, value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number, not ${value}`);
    return n;
  };
  for (const mirror of values["registry-mirror"] ?? []) {
    if (!/^https?:\/\/[^/]+/.test(mirror)) throw new Error(`invalid --registry-mirror ${mirror}: use http(s)://host[:port]`);
  }
  return {
    insecureRegistries: values["insecure-registry"] ?? [],
    mirrors: values["registry-mirror"] ?? [],
    certsDir: values["certs-dir"],
    maxConcurrentDownloads: count("max-concurrent-downloads", values["max-concurrent-downloads"]),
    maxConcurrentUploads: count("max-concurrent-uploads", values["max-concurrent-uploads"]),
  };
}

/** Docker's `--exec-opt native.cgroupdriver=…`: only cgroupfs, as bunker writes the cgroup files itself. */
function checkExecOpts(opts: string[]): void {
  for (const opt of opts) {
    const [key, value] = opt.split("=", 2);
    if (key !== "native.cgroupdriver") throw new Error(`unknown --exec-opt ${opt}: only native.cgroupdriver=cgroupfs is supported`);
    if (value !== "cgroupfs") throw new Error(`native.cgroupdriver option ${value} not supported: use cgroupfs`);
  }
}
