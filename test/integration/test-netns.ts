/**
 * A network namespace a test makes to stand for "another host": a veth pair, the host end
 * 100.64.X.Y/30 in the daemon's namespace, the other end .2 inside with a route back through
 * it, so what a test sends there never leaves the machine.
 */
import { run } from "./harness.ts";

export class TestNetns {
  readonly name = `bkns-${Math.random().toString(16).slice(2, 8)}`;
  readonly #base = `100.64.${Math.floor(Math.random() * 250)}.${4 * Math.floor(Math.random() * 60)}`;
  readonly hostAddress: string;
  readonly address: string;
  readonly #hostEnd = `vh${this.name.slice(5)}`;

  constructor() {
    const parts = this.#base.split(".").map(Number);
    this.hostAddress = [...parts.slice(0, 3), parts[3] + 1].join(".");
    this.address = [...parts.slice(0, 3), parts[3] + 2].join(".");
  }

  async create(): Promise<void> {
    const steps = [
      ["ip", "netns", "add", this.name],
      ["ip", "link", "add", this.#hostEnd, "type", "veth", "peer", "name", "eth0", "netns", this.name],
      ["ip", "addr", "add", `${this.hostAddress}/30`, "dev", this.#hostEnd],
      ["ip", "link", "set", this.#hostEnd, "up"],
      ["ip", "-n", this.name, "addr", "add", `${this.address}/30`, "dev", "eth0"],
      ["ip", "-n", this.name, "link", "set", "eth0", "up"],
      ["ip", "-n", this.name, "link", "set", "lo", "up"],
    ];
    for (const step of steps) {
      const result = await run(step);
      if (result.code !== 0) throw new Error(`${step.join(" ")}: ${result.stderr}`);
    }
  }

  /** Runs `argv` inside the namespace. */
  exec(argv: string[]) {
    return run(["ip", "netns", "exec", this.name, ...argv]);
  }

  /** Starts `argv` inside the namespace in the background; kill it with the returned process. */
  spawn(argv: string[]) {
    return Bun.spawn(["ip", "netns", "exec", this.name, ...argv], { stdout: "pipe", stderr: "pipe" });
  }

  async remove(): Promise<void> {
    await run(["ip", "link", "del", this.#hostEnd]);
    await run(["ip", "netns", "del", this.name]);
  }
}
