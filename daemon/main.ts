/** `bunker daemon`: flags, pidfile, engine, listeners, and a clean exit on SIGTERM/SIGINT. */
import { existsSync, readFileSync, unlinkSync } from "node:fs";
import type net from "node:net";
import { consola, LogLevels } from "consola";
import { Engine } from "../src/engine.ts";
import { buildApp } from "./app.ts";
import { claimPidfile, releasePidfile } from "./pidfile.ts";
import { listen, parseHost, type Listener, type TlsSettings } from "./server.ts";
import type { RegistryOptions } from "../src/registry/types.ts";
import { daemonSettings, type DaemonSettings } from "./options.ts";

const USAGE = `Usage: bunker daemon [OPTIONS]

  --root, --data-root DIR   where images and containers live (default /var/lib/bunker)
  -H, --host ADDR     unix:///path, tcp://host:port or fd:// (socket activation); repeatable (default unix:///var/run/bunker.sock)
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
  --dns IP            nameservers for containers that set none; repeatable
  --tls, --tlsverify  TLS on tcp:// hosts; with --tlsverify only clients with a certificate the CA signed
  --tlscacert FILE --tlscert FILE --tlskey FILE
  -G, --group NAME    the unix socket's group
  --api-cors-header ORIGIN   allow browsers from ORIGIN (the 2013 -api-enable-cors)
  --config-file FILE  settings in Docker's daemon.json keys (default /etc/bunker/daemon.json)
  --log-level LEVEL   debug, info, warn, error, fatal (default info)
  -D, --debug         debug logging`;

export async function runDaemon(argv: string[]): Promise<void> {
  let values: DaemonSettings;
  try {
    values = daemonSettings(argv);
  } catch (err) {
    const usage = err instanceof TypeError ? `\n\n${USAGE}` : ""; // parseArgs' own: an unknown flag, a missing value
    console.error(`bunker daemon: ${(err as Error).message}${usage}`);
    process.exit(1);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  consola.level = values.debug ? LogLevels.debug : logLevel(values["log-level"]);
  // A bug in serving one request must not end every container's daemon: it is logged (and
  // fixed at its root), and the daemon serves on.
  process.on("uncaughtException", (err) => consola.error("uncaught exception (a bug):", err));
  process.on("unhandledRejection", (err) => consola.error("unhandled rejection (a bug):", err));
  let listeners: Listener[];
  let registry: RegistryOptions;
  let tlsSettings: TlsSettings | undefined;
  let socketGroup: number | undefined;
  try {
    registry = registryOptions(values);
    checkExecOpts(values["exec-opt"]);
    if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(values["cgroup-parent"]!) || values["cgroup-parent"]!.split("/").includes("..")) {
      throw new Error(`invalid --cgroup-parent ${values["cgroup-parent"]}: a relative path such as bunker or system/bunker`);
    }
    listeners = (values.host.length ? values.host : ["unix:///var/run/bunker.sock"]).flatMap((host) => parseHost(host));
    tlsSettings = tlsOf(values);
    socketGroup = groupOf(values.group);
    claimPidfile(values.pidfile!);
  } catch (err) {
    consola.error((err as Error).message);
    process.exit(1);
  }
  const engine = Engine.open({
    root: values.root!,
    debug: values.debug,
    bridge: values.bridge!,
    bip: values.bip,
    registry,
    cgroupParent: values["cgroup-parent"],
    dns: values.dns,
    corsOrigin: values["api-cors-header"],
  });
  const app = buildApp(engine);
  const servers: net.Server[] = [];
  try {
    for (const where of listeners) servers.push(await listen(app, engine, where, tlsSettings, socketGroup));
  } catch (err) {
    consola.error(`cannot listen: ${(err as Error).message}`);
    releasePidfile(values.pidfile!);
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
    releasePidfile(values.pidfile!);
    process.exit(0);
  };
  // SIGHUP (systemctl reload): what can change without a restart is read again, from the same
  // flags and the configuration file as it is now; a bad file is logged and changes nothing.
  process.on("SIGHUP", () => {
    try {
      const reloaded = daemonSettings(argv);
      engine.reloadRegistryOptions(registryOptions(reloaded));
      consola.level = reloaded.debug ? LogLevels.debug : logLevel(reloaded["log-level"]);
      consola.info("SIGHUP: reloaded registry mirrors, insecure registries, transfer limits and the log level");
    } catch (err) {
      consola.error(`SIGHUP: configuration not reloaded: ${(err as Error).message}`);
    }
  });
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

function registryOptions(values: DaemonSettings): RegistryOptions {
  const count = (name: string, value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number, not ${value}`);
    return n;
  };
  for (const mirror of values["registry-mirror"]) {
    if (!/^https?:\/\/[^/]+/.test(mirror)) throw new Error(`invalid --registry-mirror ${mirror}: use http(s)://host[:port]`);
  }
  return {
    insecureRegistries: values["insecure-registry"],
    mirrors: values["registry-mirror"],
    certsDir: values["certs-dir"]!,
    maxConcurrentDownloads: count("max-concurrent-downloads", values["max-concurrent-downloads"]!),
    maxConcurrentUploads: count("max-concurrent-uploads", values["max-concurrent-uploads"]!),
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

/** `--tls`/`--tlsverify` with their files (Docker's: --tlsverify implies --tls and needs the CA). */
function tlsOf(values: DaemonSettings): TlsSettings | undefined {
  if (!values.tls && !values.tlsverify) return undefined;
  if (!values.tlscert || !values.tlskey) throw new Error("--tls needs --tlscert and --tlskey");
  if (values.tlsverify && !values.tlscacert) throw new Error("--tlsverify needs --tlscacert: the CA that signs the clients' certificates");
  return { verify: values.tlsverify, ca: values.tlscacert, cert: values.tlscert, key: values.tlskey };
}

/** `-G group`: the unix socket's group, by name or number; a group the host has not is said and skipped, as Docker does. */
function groupOf(name: string | undefined): number | undefined {
  if (!name) return undefined;
  if (/^\d+$/.test(name)) return Number(name);
  const line = (existsSync("/etc/group") ? readFileSync("/etc/group", "utf8") : "").split("\n").find((l) => l.split(":")[0] === name);
  if (!line) {
    consola.warn(`could not change group of the socket to ${name}: group not found; the socket stays root's`);
    return undefined;
  }
  return Number(line.split(":")[2]);
}

const LOG_LEVELS: Record<string, number> = { debug: LogLevels.debug, info: LogLevels.info, warn: LogLevels.warn, error: LogLevels.error, fatal: LogLevels.fatal };

function logLevel(name: string | undefined): number {
  const level = LOG_LEVELS[name ?? "info"];
  if (level === undefined) throw new Error(`unable to parse logging level: ${name}`);
  return level;
}
