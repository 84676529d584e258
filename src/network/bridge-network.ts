/**
 * One bridge network at run time: its Linux bridge, its address pool, and the veth pairs of
 * the containers on it. A container's endpoint is an address from the pool and a veth whose
 * host end (`veth`, 7 characters of the container's ID, 4 of the network's) sits on the
 * bridge and whose other end is made directly inside the container's namespace.
 */
import { closeSync, openSync } from "node:fs";
import { consola } from "consola";
import { Netlink } from "../../ffi/netlink.ts";
import { SyscallError } from "../../ffi/sys.ts";
import { AddressPool } from "./address-pool.ts";
import type { Bridge } from "./bridge.ts";
import { formatSubnet, toNumber, type Subnet } from "./ipv4.ts";

/** A container's place on one network, kept in its record while it runs. */
export interface Endpoint {
  /** Absent in records written before user-defined networks: those were all on the default bridge. */
  NetworkID?: string;
  IPAddress: string;
  IPPrefixLen: number;
  Gateway: string;
  MacAddress: string;
  /** The host end of the veth pair. */
  HostVeth: string;
  /** The interface inside the container (`eth0`, `eth1`, …); absent in older records: `eth0`. */
  Interface?: string;
}

const ENODEV = 19;
export const VETH_PREFIX = "veth";

export class BridgeNetwork {
  readonly #pool: AddressPool;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly bridge: Bridge,
    /** No way out of the subnet: no default route through it, no masquerading, no forwarding. */
    readonly internal: boolean,
    range?: Subnet,
  ) {
    this.#pool = new AddressPool(bridge.subnet, bridge.gateway, range);
  }

  get subnet(): string {
    return formatSubnet(this.bridge.subnet);
  }

  /** An address (the one asked for, or the next free) and the names of the veth's ends; give it back with `release`. */
  endpointFor(containerId: string, inside: string, address?: string): Endpoint {
    const ip = address ? this.#pool.take(address) : this.#pool.allocate();
    return {
      NetworkID: this.id,
      IPAddress: ip,
      IPPrefixLen: this.bridge.subnet.prefixLength,
      Gateway: this.bridge.gateway,
      MacAddress: macFor(ip),
      HostVeth: `${VETH_PREFIX}${containerId.slice(0, 7)}${this.id.slice(0, 4)}`,
      Interface: inside,
    };
  }

  /**
   * Creates the veth pair into the namespace of `pid`: the host end up on the bridge. With
   * `configure`, also the address and link inside (a running container; at start stage 3 does
   * it), and the default route through this network when `configure.defaultRoute`.
   */
  connect(endpoint: Endpoint, pid: number, configure: false | { defaultRoute: boolean }): void {
    const netns = openSync(`/proc/${pid}/ns/net`, "r");
    try {
      Netlink.with((netlink) => {
        netlink.createVeth(endpoint.HostVeth, this.bridge.index, { name: endpoint.Interface ?? "eth0", mac: endpoint.MacAddress, netnsFd: netns });
        netlink.setUp(netlink.linkIndex(endpoint.HostVeth)!);
      });
      if (!configure) return;
      Netlink.inNamespace(netns, (netlink) => {
        const index = netlink.linkIndex(endpoint.Interface ?? "eth0")!;
        netlink.addAddress(index, endpoint.IPAddress, endpoint.IPPrefixLen);
        netlink.setUp(index);
        if (configure.defaultRoute) netlink.addDefaultRoute(endpoint.Gateway);
      });
    } catch (err) {
      this.#removeVeth(endpoint);
      throw err;
    } finally {
      closeSync(netns);
    }
  }

  /** Removes the veth pair if the kernel has not already (it does when the namespace dies) and frees the address. */
  release(endpoint: Endpoint): void {
    this.#removeVeth(endpoint);
    this.#pool.release(endpoint.IPAddress);
  }

  /** After a daemon restart: a surviving container keeps its address. */
  adopt(endpoint: Endpoint): void {
    this.#pool.claim(endpoint.IPAddress);
  }

  #removeVeth(endpoint: Endpoint): void {
    try {
      Netlink.with((netlink) => {
        const index = netlink.linkIndex(endpoint.HostVeth);
        if (index !== undefined) netlink.deleteLink(index);
      });
    } catch (err) {
      if (!(err instanceof SyscallError && err.errno === ENODEV)) consola.warn(`cannot remove ${endpoint.HostVeth}: ${(err as Error).message}`);
    }
  }
}

/** Docker's scheme: 02:42 and the four bytes of the address, so a MAC never collides on the bridge. */
function macFor(address: string): string {
  const n = toNumber(address);
  return ["02", "42", ...[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((b) => b.toString(16).padStart(2, "0"))].join(":");
}
