/**
 * The daemon's networking: its bridge and address pool, and per container the choice of
 * namespace, the address, and the veth pair whose host end (`veth` + 7 characters of the
 * container's ID) sits on the bridge. With `--bridge none` a container in bridge mode gets a
 * namespace with only `lo`.
 */
import { closeSync, openSync } from "node:fs";
import { consola } from "consola";
import { Netlink } from "../../ffi/netlink.ts";
import { SyscallError } from "../../ffi/sys.ts";
import type { LaunchNetwork } from "../start/spec.ts";
import { AddressPool } from "./address-pool.ts";
import { ensureBridge, type Bridge } from "./bridge.ts";
import { setupOutbound } from "./outbound.ts";
import { parseNetworkMode } from "./mode.ts";
import { toNumber } from "./ipv4.ts";

/** A container's place on the bridge, kept in its record while it runs. */
export interface Endpoint {
  IPAddress: string;
  IPPrefixLen: number;
  Gateway: string;
  MacAddress: string;
  /** The host end of the veth pair. */
  HostVeth: string;
}

/** What one start needs: the stages' part of the spec, and the endpoint to connect once init exists. */
export interface NetworkPlan {
  launch: LaunchNetwork;
  endpoint?: Endpoint;
}

const ENODEV = 19;
const VETH_PREFIX = "veth";

export class Network {
  /** What `info` should say is missing. */
  readonly warnings: string[] = [];
  readonly #pool?: AddressPool;

  private constructor(readonly bridge?: Bridge) {
    if (bridge) this.#pool = new AddressPool(bridge.subnet, bridge.gateway);
  }

  /** Sets up the bridge and its outbound path; `name` "none" means containers get only `lo`. */
  static open(name: string, bip?: string): Network {
    if (name === "none") return new Network();
    const network = new Network(Netlink.with((netlink) => ensureBridge(netlink, name, bip)));
    network.warnings.push(...setupOutbound(network.bridge!));
    for (const warning of network.warnings) consola.warn(warning);
    return network;
  }

  /** Addresses handed out now: for tests and `info`. */
  get addressesInUse(): number {
    return this.#pool?.size ?? 0;
  }

  /**
   * The network side of one start. In bridge mode this takes an address, which the caller
   * must give back with `release` on every path out. `initPid` finds a running container's
   * init for `container:` mode.
   */
  plan(containerId: string, networkMode: string, initPid: (ref: string) => number): NetworkPlan {
    const mode = parseNetworkMode(networkMode);
    if (mode.kind === "host") return { launch: { namespace: "host" } };
    if (mode.kind === "container") return { launch: { namespace: { join: `/proc/${initPid(mode.ref)}/ns/net` } } };
    if (mode.kind === "none" || !this.bridge) return { launch: { namespace: "new" } };
    const address = this.#pool!.allocate();
    const endpoint: Endpoint = {
      IPAddress: address,
      IPPrefixLen: this.bridge.subnet.prefixLength,
      Gateway: this.bridge.gateway,
      MacAddress: macFor(address),
      HostVeth: `${VETH_PREFIX}${containerId.slice(0, 7)}`,
    };
    const iface = { name: "eth0", address, prefixLength: endpoint.IPPrefixLen, gateway: endpoint.Gateway };
    return { launch: { namespace: "new", interface: iface }, endpoint };
  }

  /** Creates the veth pair: the host end up on the bridge, `eth0` made directly inside init's namespace. */
  connect(endpoint: Endpoint, initPid: number): void {
    const netns = openSync(`/proc/${initPid}/ns/net`, "r");
    try {
      Netlink.with((netlink) => {
        netlink.createVeth(endpoint.HostVeth, this.bridge!.index, { name: "eth0", mac: endpoint.MacAddress, netnsFd: netns });
        netlink.setUp(netlink.linkIndex(endpoint.HostVeth)!);
      });
    } finally {
      closeSync(netns);
    }
  }

  /** Removes the veth pair if the kernel has not already (it does when the namespace dies) and frees the address. */
  release(endpoint: Endpoint): void {
    try {
      Netlink.with((netlink) => {
        const index = netlink.linkIndex(endpoint.HostVeth);
        if (index !== undefined) netlink.deleteLink(index);
      });
    } catch (err) {
      if (!(err instanceof SyscallError && err.errno === ENODEV)) consola.warn(`cannot remove ${endpoint.HostVeth}: ${(err as Error).message}`);
    }
    this.#pool?.release(endpoint.IPAddress);
  }

  /** After a daemon restart: a surviving container keeps its address. */
  adopt(endpoint: Endpoint): void {
    this.#pool?.claim(endpoint.IPAddress);
  }

  /** After a daemon restart: veths on our bridge that no adopted container owns are what a killed daemon left. */
  removeLeftovers(owned: Set<string>): void {
    if (!this.bridge) return;
    Netlink.with((netlink) => {
      for (const link of netlink.listLinks()) {
        if (link.master !== this.bridge!.index || !link.name.startsWith(VETH_PREFIX) || owned.has(link.name)) continue;
        consola.info(`removing ${link.name}, left by a container that is gone`);
        netlink.deleteLink(link.index);
      }
    });
  }
}

/** Docker's scheme: 02:42 and the four bytes of the address, so a MAC never collides on the bridge. */
function macFor(address: string): string {
  const n = toNumber(address);
  return ["02", "42", ...[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((b) => b.toString(16).padStart(2, "0"))].join(":");
}
