/**
 * A throw-away dockerd (Debian's docker.io) on temp dirs and its own socket, for side-by-side
 * measurements. Networking is off (`--bridge none`, no iptables) so it matches bunker's setup,
 * unless `{ bridge: true }`: then Docker's default networking, docker0 with iptables and the
 * userland docker-proxy, and stop() removes the docker0 and iptables rules and chains it made.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { makeBusyboxTarball } from "../test/integration/harness.ts";

export interface DockerdOptions {
  /** Docker's default bridge networking (docker0, iptables, docker-proxy) instead of none. */
  bridge?: boolean;
  /** docker0's address and prefix with `bridge` (Docker picks a free private range if unset). */
  bip?: string;
}

const DOCKER_BRIDGE = "docker0";
const IPTABLES_TABLES = ["filter", "nat"] as const;

function iptablesRules(table: string): string[] {
  const r = Bun.spawnSync(["iptables", "-w", "-t", table, "-S"]);
  return r.exitCode === 0 ? r.stdout.toString().split("\n").filter(Boolean) : [];
}

/** The DOCKER* chains of each iptables table. */
function dockerChains(): Set<string> {
  const chains = new Set<string>();
  if (!Bun.which("iptables")) return chains;
  for (const table of IPTABLES_TABLES) {
    for (const line of iptablesRules(table)) {
      const m = /^-N (DOCKER\S*)$/.exec(line);
      if (m) chains.add(`${table} ${m[1]}`);
    }
  }
  return chains;
}

export class Dockerd {
  readonly #options: DockerdOptions;
  #hadBridge = false;
  #hadChains = new Set<string>();

  constructor(options: DockerdOptions = {}) {
    this.#options = options;
  }

  readonly dir = mkdtempSync("/tmp/bunker-bench-dockerd-");
  readonly socket = join(this.dir, "docker.sock");
  #process: Subprocess | undefined;

  static available(): boolean {
    return Bun.which("dockerd") !== null && Bun.which("docker") !== null;
  }

  get host(): string {
    return `unix://${this.socket}`;
  }

  get pid(): number {
    return Number(readFileSync(join(this.dir, "docker.pid"), "utf8"));
  }

  async start(): Promise<void> {
    // With a bridge: docker0 (the default), iptables on, the userland proxy on (its default, said
    // explicitly); forwarding is left as the host has it so no sysctl is changed behind our back.
    const network = this.#options.bridge
      ? ["--iptables=true", "--userland-proxy=true", "--ip-forward=false", ...(this.#options.bip ? ["--bip", this.#options.bip] : [])]
      : ["--bridge", "none", "--iptables=false", "--ip-forward=false"];
    if (this.#options.bridge) {
      this.#hadBridge = existsSync(`/sys/class/net/${DOCKER_BRIDGE}`);
      this.#hadChains = dockerChains();
    }
    this.#process = Bun.spawn(
      ["dockerd", "--data-root", join(this.dir, "data"), "--exec-root", join(this.dir, "exec"), "-H", this.host,
        "--pidfile", join(this.dir, "docker.pid"), ...network],
      { stdout: Bun.file(join(this.dir, "dockerd.log")), stderr: Bun.file(join(this.dir, "dockerd.err")) },
    );
    for (let i = 0; i < 300; i++) {
      if (existsSync(this.socket) && Bun.spawnSync(["docker", "version"], { env: { ...process.env, DOCKER_HOST: this.host } }).exitCode === 0) return;
      await Bun.sleep(100);
    }
    throw new Error(`dockerd did not start: ${readFileSync(join(this.dir, "dockerd.err"), "utf8").slice(-2000)}`);
  }

  /** Runs the docker CLI against this dockerd; returns its stdout. */
  docker(...args: string[]): string {
    return Bun.spawnSync(["docker", ...args], { env: { ...process.env, DOCKER_HOST: this.host } }).stdout.toString();
  }

  /** The PIDs behind Docker's containers: dockerd, its containerd, and one shim per container. */
  enginePids(): number[] {
    const ps = Bun.spawnSync(["ps", "-eo", "pid,args"]).stdout.toString().split("\n");
    return ps
      .filter((line) => line.includes(this.dir) && /dockerd|containerd/.test(line))
      .map((line) => Number(line.trim().split(/\s+/)[0]));
  }

  /** Imports the busybox rootfs the bunker tests use as `name`, so both engines hold the same image. */
  async importBase(name = "base"): Promise<void> {
    const imported = Bun.spawn(["docker", "import", makeBusyboxTarball(join(this.dir, "busybox.tar")), name], {
      env: { ...process.env, DOCKER_HOST: this.host },
      stdout: "ignore",
      stderr: "pipe",
    });
    if ((await imported.exited) !== 0) throw new Error(`docker import failed: ${await new Response(imported.stderr).text()}`);
  }

  async stop(): Promise<void> {
    this.#process?.kill("SIGTERM");
    await this.#process?.exited;
    if (this.#options.bridge && this.#process) this.#removeNetworkLeftovers();
    this.#process = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * dockerd leaves docker0 and its iptables chains (and the jumps to them) behind when it exits.
   * Removes those this instance made: the rules in other chains that jump to a DOCKER* chain or
   * name docker0, then the chains; docker0 only if it was not there before start().
   */
  #removeNetworkLeftovers(): void {
    if (Bun.which("iptables")) {
      const made = [...dockerChains()].filter((chain) => !this.#hadChains.has(chain));
      for (const table of IPTABLES_TABLES) {
        const ours = made.filter((chain) => chain.startsWith(`${table} `)).map((chain) => chain.split(" ")[1]!);
        if (!ours.length) continue;
        for (const line of iptablesRules(table)) {
          const m = /^-A (\S+) (.*)$/.exec(line);
          if (!m || ours.includes(m[1]!)) continue;
          const refs = ours.some((chain) => m[2]!.split(" ").includes(chain)) || (!this.#hadBridge && m[2]!.split(" ").includes(DOCKER_BRIDGE));
          if (refs) Bun.spawnSync(["sh", "-c", `iptables -w -t ${table} -D ${m[1]} ${m[2]}`]);
        }
        for (const chain of ours) Bun.spawnSync(["iptables", "-w", "-t", table, "-F", chain]);
        for (const chain of ours) Bun.spawnSync(["iptables", "-w", "-t", table, "-X", chain]);
      }
    }
    if (!this.#hadBridge && existsSync(`/sys/class/net/${DOCKER_BRIDGE}`)) Bun.spawnSync(["ip", "link", "del", DOCKER_BRIDGE]);
  }
}
