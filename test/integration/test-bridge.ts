/**
 * A bridge a test file owns: a random name and a random private subnet, so files never share
 * one, and a remove() that deletes the bridge and the iptables chain the daemon made for it.
 */
import { run } from "./harness.ts";

export class TestBridge {
  readonly name = `bk-${Math.random().toString(16).slice(2, 8)}`;
  readonly gateway = `10.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 250)}.1`;

  /** The daemon flags that put it on this bridge, with a subnet of `/prefix`. */
  daemonArgs(prefix: number): string[] {
    return ["--bridge", this.name, "--bip", `${this.gateway}/${prefix}`];
  }

  async remove(): Promise<void> {
    await run(["ip", "link", "del", this.name]);
    const chain = `BUNKER-${this.name}`;
    for (const [table, hook] of [["nat", "POSTROUTING"], ["filter", "FORWARD"]]) {
      await run(["iptables", "-w", "-t", table, "-D", hook, "-j", chain]);
      await run(["iptables", "-w", "-t", table, "-F", chain]);
      await run(["iptables", "-w", "-t", table, "-X", chain]);
    }
  }
}
