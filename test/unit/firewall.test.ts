import { describe, expect, test } from "bun:test";
import type { Chain } from "../../ffi/nftables.ts";
import { SyscallError } from "../../ffi/sys.ts";
import { Firewall } from "../../src/network/firewall.ts";
import { subnetOf } from "../../src/network/ipv4.ts";

const network = (name: string, internal = false) => ({ bridge: { name, index: 1, gateway: "10.9.0.1", subnet: subnetOf("10.9.0.0", 16) }, internal });

function recording(fail?: number) {
  const writes: (Chain[] | undefined)[] = [];
  const fallbacks: string[] = [];
  const firewall = new Firewall("bunker-test", {
    write: (_table, chains) => {
      if (fail !== undefined) throw new SyscallError("nftables", fail);
      writes.push(chains);
    },
    fallback: (bridge) => (fallbacks.push(bridge.name), []),
    forwarding: () => true,
  });
  return { firewall, writes, fallbacks };
}

describe("the firewall's table", () => {
  test("every change writes the whole table; with no network left it is removed", () => {
    const { firewall, writes } = recording();
    firewall.setNetworks([network("br-a"), network("br-b", true)]);
    const chains = writes.at(-1)!;
    expect(chains.map((chain) => chain.name)).toEqual(["isolation", "published", "postrouting", "prerouting", "forward", "input"]);
    // Masquerading for the network with a way out only; isolation names both bridges.
    expect(chains.find((chain) => chain.name === "postrouting")!.rules).toHaveLength(1);
    expect(chains.find((chain) => chain.name === "isolation")!.rules).toHaveLength(2);
    expect(chains.find((chain) => chain.name === "input")!.rules).toHaveLength(1);
    firewall.publish("c1", "10.9.0.2", [{ proto: "tcp", containerPort: 80, hostIp: "0.0.0.0", hostPort: 8080 }, { proto: "tcp", containerPort: 80, hostIp: "::", hostPort: 8080 }]);
    expect(writes.at(-1)!.find((chain) => chain.name === "published")!.rules).toHaveLength(1);
    firewall.unpublish("c1");
    expect(writes.at(-1)!.find((chain) => chain.name === "published")!.rules).toHaveLength(0);
    firewall.setNetworks([]);
    expect(writes.at(-1)).toBeUndefined();
    expect(firewall.warnings).toEqual([]);
  });

  test("a kernel without nf_tables: info says so, and the tools' fallback serves the networks with a way out", () => {
    const { firewall, fallbacks } = recording(93 /* EPROTONOSUPPORT */);
    firewall.setNetworks([network("br-a"), network("br-b", true)]);
    expect(firewall.warnings.join("\n")).toContain("the kernel has no nf_tables");
    expect(fallbacks).toEqual(["br-a"]);
    firewall.setNetworks([network("br-a"), network("br-b", true), network("br-c")]);
    expect(fallbacks).toEqual(["br-a", "br-c"]);
  });

  test("a ruleset the kernel refuses is reported until one is accepted", () => {
    let refuse = true;
    const firewall = new Firewall("bunker-test", {
      write: () => {
        if (refuse) throw new SyscallError("nftables", 22 /* EINVAL */);
      },
      fallback: () => [],
      forwarding: () => true,
    });
    firewall.setNetworks([network("br-a")]);
    expect(firewall.warnings).toEqual(["WARNING: nftables table bunker-test: nftables: Invalid argument"]);
    refuse = false;
    firewall.apply();
    expect(firewall.warnings).toEqual([]);
  });
});
