/**
 * Stage 3, in a new network namespace: `lo` up, and per network the interface the daemon made
 * in here (`eth0`, `eth1`, …): address, up; then the default route through the first network
 * that has a way out. Runs before anything is mounted so
 * a container never sees its interface half-configured.
 */
import { readSync } from "node:fs";
import { Netlink } from "../../ffi/netlink.ts";
import { ACK_FD, type LaunchNetwork } from "./spec.ts";

export function setupNetwork(network: LaunchNetwork): void {
  if (network.namespace !== "new") return;
  const interfaces = network.interfaces ?? [];
  // The daemon acks once the interfaces exist here (spec.ts, message order step 2).
  if (interfaces.length > 0 && readSync(ACK_FD, Buffer.alloc(1)) !== 1) throw new Error("the daemon did not connect the container to its networks");
  Netlink.with((netlink) => {
    netlink.setUp(netlink.linkIndex("lo")!);
    for (const iface of interfaces) {
      const index = netlink.linkIndex(iface.name);
      if (index === undefined) throw new Error(`${iface.name} is missing from the container's network namespace`);
      netlink.addAddress(index, iface.address, iface.prefixLength);
      netlink.setUp(index);
    }
    if (network.gateway) netlink.addDefaultRoute(network.gateway);
  });
}
