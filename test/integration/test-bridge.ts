/**
 * A bridge a test file owns: a random name and a random private subnet, so files never share
 * one, and a remove() that deletes the bridge and the nftables table the daemon made for it.
 */
import { replaceTable } from "../../ffi/nftables.ts";
import { firewallTable } from "../../src/network/firewall.ts";
import { run } from "./harness.ts";

export class TestBridge {
  readonly name = `bk-${Math.random().toString(16).slice(2, 8)}`;
  readonly gateway = `10.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 250)}.1`;

  /** The daemon flags that put it on this bridge, with a subnet of `/prefix`. */
  daemonArgs(prefix: number): string[] {
    return ["--bridge", this.name, "--bip", `${this.gateway}/${prefix}`];
  }

  /** The daemon's nftables table. */
  get table(): string {
    return firewallTable(this.name, "");
  }

  async remove(): Promise<void> {
    await run(["ip", "link", "del", this.name]);
    replaceTable(this.table, undefined);
  }
}
