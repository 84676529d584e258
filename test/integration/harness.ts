/**
 * Integration-test harness: each test file gets its own daemon on its own temp root, socket
 * and pidfile, a base image imported from the host's busybox, and a cleanup that removes
 * every container, stops the daemon, and fails loudly if a mount, process or cgroup is left.
 * Needs root, busybox-static, and the compiled binary (built on first use).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { processStartTime } from "../../src/container/reaper.ts";

const REPO = resolve(import.meta.dir, "../..");
export const BIN = process.env.BUNKER_BIN ?? join(REPO, "dist/bunker");

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Writes a busybox rootfs tarball to `path` (scripts/busybox-rootfs.sh). */
export function makeBusyboxTarball(path: string): string {
  const made = Bun.spawnSync(["bash", join(REPO, "scripts/busybox-rootfs.sh"), path]);
  if (made.exitCode !== 0) throw new Error(`cannot build the busybox rootfs: ${made.stderr.toString()}`);
  return path;
}

function ensureBinary(): void {
  if (existsSync(BIN)) return;
  const built = Bun.spawnSync(["bun", "run", "build"], { cwd: REPO, stdout: "inherit", stderr: "inherit" });
  if (built.exitCode !== 0) throw new Error("npm run build failed");
}

export class TestDaemon {
  readonly dir: string;
  readonly root: string;
  readonly socket: string;
  readonly pidfile: string;
  #process: Subprocess | undefined;
  /** Set before start: the daemon's environment on top of the test's (its PATH, say). */
  env: Record<string, string> = {};
  /** Cgroups under bunker/ and veths on the host before this daemon ran: what it leaves must be no more. */
  readonly #before = { cgroups: bunkerCgroups(), veths: hostVeths() };

  /** `networkArgs`: the daemon's bridge flags; tests not about networking run without a bridge. */
  /** `binary`: the bunker build to run (another build than the tree's, for A/B benchmarks). */
  constructor(name: string, private readonly networkArgs: string[] = ["--bridge", "none"], readonly binary = BIN) {
    this.dir = mkdtempSync(`/tmp/bunker-test-${name}-`);
    this.root = join(this.dir, "root");
    this.socket = join(this.dir, "bunker.sock");
    this.pidfile = join(this.dir, "bunker.pid");
  }

  get host(): string {
    return `unix://${this.socket}`;
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** Starts (or restarts) the daemon and waits until it answers. */
  async start(): Promise<void> {
    if (this.binary === BIN) ensureBinary();
    this.#process = Bun.spawn([this.binary, "daemon", "--root", this.root, "-H", this.host, "--pidfile", this.pidfile, ...this.networkArgs], {
      stdout: Bun.file(join(this.dir, "daemon.log")),
      stderr: "inherit",
      env: { ...process.env, ...this.env },
    });
    for (let i = 0; i < 100; i++) {
      try {
        if ((await this.api("/_ping")).ok) return;
      } catch {
        // not listening yet
      }
      await Bun.sleep(50);
    }
    throw new Error(`daemon did not come up; log:\n${readFileSync(join(this.dir, "daemon.log"), "utf8")}`);
  }

  /** The daemon with the base image imported as `base`. */
  static async withBase(name: string, networkArgs?: string[], binary?: string): Promise<TestDaemon> {
    const daemon = new TestDaemon(name, networkArgs, binary);
    await daemon.start();
    await daemon.importBase();
    return daemon;
  }

  /** Imports the host's busybox as the image `base`. */
  async importBase(): Promise<void> {
    const imported = await this.bunker("import", makeBusyboxTarball(join(this.dir, "busybox.tar")), "base");
    if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`);
  }

  api(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`http://localhost${path}`, { ...init, unix: this.socket } as RequestInit);
  }

  /** Runs the bunker CLI against this daemon. */
  async bunker(...args: string[]): Promise<Result> {
    return run([this.binary, "-H", this.host, ...args]);
  }

  /** Runs the bunker CLI and returns its stdout; a non-zero exit fails the test with its stderr. */
  async bunkerOk(...args: string[]): Promise<string> {
    const r = await this.bunker(...args);
    if (r.code !== 0) throw new Error(`bunker ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }

  /** Runs the docker CLI against this daemon. */
  async docker(...args: string[]): Promise<Result> {
    return run(["docker", ...args], { DOCKER_HOST: this.host });
  }

  async kill9(): Promise<void> {
    this.#process?.kill(9);
    await this.#process?.exited;
    this.#process = undefined;
  }

  async stop(): Promise<void> {
    this.#process?.kill("SIGTERM");
    await this.#process?.exited;
    this.#process = undefined;
  }

  /**
   * Removes every container (through the API, or by their recorded PIDs if the daemon is
   * gone), stops the daemon and deletes the root. Throws if anything was left behind.
   */
  async cleanup(): Promise<void> {
    const problems: string[] = [];
    try {
      if (this.#process) {
        const list = (await (await this.api("/containers/json?all=1")).json()) as { Id: string }[];
        for (const { Id } of list) await this.api(`/containers/${Id}?force=1`, { method: "DELETE" });
        const networks = (await (await this.api("/networks")).json()) as { Id: string; Name: string }[];
        for (const { Id, Name } of networks) if (!["bridge", "host", "none"].includes(Name)) await this.api(`/networks/${Id}`, { method: "DELETE" });
      }
    } catch (err) {
      problems.push(`listing containers: ${(err as Error).message}`);
    }
    await this.stop();
    for (const pid of this.#recordedPids()) {
      problems.push(`container init ${pid} still running after cleanup`);
      try {
        process.kill(pid, 9);
      } catch {
        // already gone
      }
    }
    const mounts = readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((line) => line.includes(this.root));
    if (mounts.length) problems.push(`mounts left under ${this.root}:\n${mounts.join("\n")}`);
    const cgroups = bunkerCgroups().filter((dir) => !this.#before.cgroups.includes(dir));
    if (cgroups.length) problems.push(`cgroups left: ${cgroups.join(", ")}`);
    const veths = hostVeths().filter((name) => !this.#before.veths.includes(name));
    if (veths.length) problems.push(`veths left: ${veths.join(", ")}`);
    for (const bridge of this.#networkBridges()) {
      problems.push(`bridge ${bridge} of a user network left`);
      await run(["ip", "link", "del", bridge]);
    }
    rmSync(this.dir, { recursive: true, force: true });
    if (problems.length) throw new Error(problems.join("\n"));
  }

  /** The bridges of the user networks still recorded under the root (removed networks have no file). */
  #networkBridges(): string[] {
    const dir = join(this.root, "networks");
    if (!existsSync(dir)) return [];
    return readdirSync(dir).flatMap((file) => {
      try {
        const bridge = JSON.parse(readFileSync(join(dir, file), "utf8")).Bridge as string;
        return existsSync(`/sys/class/net/${bridge}`) ? [bridge] : [];
      } catch {
        return [];
      }
    });
  }

  #recordedPids(): number[] {
    const dir = join(this.root, "containers");
    if (!existsSync(dir)) return [];
    const pids: number[] = [];
    for (const id of readdirSync(dir)) {
      try {
        const record = JSON.parse(readFileSync(join(dir, id, "config.json"), "utf8"));
        const { Pid, PidStartTime } = record.State;
        if (Pid > 0 && processStartTime(Pid) === PidStartTime) pids.push(Pid);
      } catch {
        // not a container dir
      }
    }
    return pids;
  }
}

const CGROUP_ROOT = "/sys/fs/cgroup";

/** Every container cgroup under `bunker/`, in every hierarchy (v1) or the unified one. */
export function bunkerCgroups(): string[] {
  const parents = existsSync(join(CGROUP_ROOT, "cgroup.controllers"))
    ? [join(CGROUP_ROOT, "bunker")]
    : readdirSync(CGROUP_ROOT).map((controller) => join(CGROUP_ROOT, controller, "bunker"));
  return parents.filter(existsSync).flatMap((parent) => readdirSync(parent, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(parent, e.name)));
}

function hostVeths(): string[] {
  return readdirSync("/sys/class/net").filter((name) => name.startsWith("veth"));
}

export async function run(argv: string[], env: Record<string, string> = {}, stdin?: string): Promise<Result> {
  const child = Bun.spawn(argv, {
    env: { ...process.env, ...env },
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}

/** The stdout of a command that must succeed; a failure throws with what it printed. */
export async function ok(result: Promise<Result>): Promise<string> {
  const r = await result;
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Polls `check` until it holds, for state that settles asynchronously (a container's exit). */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await Bun.sleep(50);
  }
  throw new Error(`condition not met within ${timeoutMs} ms: ${check.toString()}`);
}
