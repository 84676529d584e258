/**
 * A throw-away dockerd (Debian's docker.io) on temp dirs and its own socket, for side-by-side
 * measurements. Networking is off (`--bridge none`, no iptables) so it matches bunker's setup.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";

export class Dockerd {
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
    this.#process = Bun.spawn(
      ["dockerd", "--data-root", join(this.dir, "data"), "--exec-root", join(this.dir, "exec"), "-H", this.host,
        "--pidfile", join(this.dir, "docker.pid"), "--bridge", "none", "--iptables=false", "--ip-forward=false"],
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

  async stop(): Promise<void> {
    this.#process?.kill("SIGTERM");
    await this.#process?.exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
