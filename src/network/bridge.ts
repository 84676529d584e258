/**
 * The daemon's bridge: created at start, or reused as found. Its address is `--bip`, the one it
 * already has, or the gateway (.1) of the first private /16 that no host address or route
 * touches, so a Docker `docker0` on 172.17.0.0/16 or a LAN on 10.0.0.0/16 is never shadowed.
 */
import { Netlink } from "../../ffi/netlink.ts";
import { InvalidArgumentError } from "../errors.ts";
import { formatSubnet, overlaps, parseCidr, subnetOf, toDotted, type Subnet } from "./ipv4.ts";

export interface Bridge {
  name: string;
  index: number;
  /** The bridge's own address: the containers' default gateway. */
  gateway: string;
  subnet: Subnet;
}

/** Docker's order of preference: 172.17–31, then 10.x; 172.17 stays Docker's own. */
function* candidates(): Generator<Subnet> {
  for (let b = 18; b <= 31; b++) yield subnetOf(`172.${b}.0.0`, 16);
  for (let b = 0; b <= 255; b++) yield subnetOf(`10.${b}.0.0`, 16);
}

export function ensureBridge(netlink: Netlink, name: string, bip?: string): Bridge {
  if (name.length > 15) throw new InvalidArgumentError(`bridge name ${name} is longer than 15 characters`);
  let index = netlink.linkIndex(name);
  if (index === undefined) {
    netlink.createBridge(name);
    index = netlink.linkIndex(name)!;
  }
  const current = netlink.listAddresses().find((a) => a.index === index);
  let gateway: string;
  let subnet: Subnet;
  if (bip) {
    ({ address: gateway, subnet } = parseCidr(bip));
    if (current?.address !== gateway) netlink.addAddress(index, gateway, subnet.prefixLength);
  } else if (current) {
    gateway = current.address;
    subnet = subnetOf(current.address, current.prefixLength);
  } else {
    subnet = freeSubnet(netlink);
    gateway = toDotted(subnet.base + 1);
    netlink.addAddress(index, gateway, subnet.prefixLength);
  }
  netlink.setUp(index);
  return { name, index, gateway, subnet };
}

/** The first candidate /16 that no host address, specific route or subnet in `taken` touches. */
export function freeSubnet(netlink: Netlink, taken: Subnet[] = []): Subnet {
  const used = [
    ...taken,
    ...netlink.listAddresses().map((a) => subnetOf(a.address, a.prefixLength)),
    // The default route covers everything; only specific routes mark a range as taken.
    ...netlink.listRoutes().filter((r) => r.prefixLength > 0).map((r) => subnetOf(r.address, r.prefixLength)),
  ];
  for (const candidate of candidates()) {
    if (!used.some((u) => overlaps(u, candidate))) return candidate;
  }
  throw new InvalidArgumentError(`no free private /16 for the bridge; give one with --bip (in use: ${used.map(formatSubnet).join(", ")})`);
}
