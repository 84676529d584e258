/**
 * Stage 3, in a new network namespace: `lo` up, and on the bridge the `eth0` the daemon made
 * in here: address, up, default route through the bridge. Runs before anything is mounted so
 * a container never sees its interface half-configured.
 */
import { readSync } from "node:fs";
import { Netlink } from "../../ffi/netlink.ts";
import { ACK_FD, type LaunchNetwork } from "./spec.ts";

export function setupNetwork(network: LaunchNetwork): void {
  if (network.namespace !== "new") return;
  const iface = network.interface;
  // The daemon acks once the interface exists here (spec.ts, message order step 2).
  if (iface && readSync(ACK_FD, Buffer.alloc(1)) !== 1) throw new Error("the daemon did not connect the container to its bridge");
  Netlink.with((netlink) => {
    netlink.setUp(netlink.linkIndex("lo")!);
    if (!iface) return;
    const index = netlink.linkIndex(iface.name);
    if (index === undefined) throw new Error(`${iface.name} is missing from the container's network namespace`);
    netlink.addAddress(index, iface.address, iface.prefixLength);
    netlink.setUp(index);
    netlink.addDefaultRoute(iface.gateway);
  });
}
