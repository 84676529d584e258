/**
 * The daemon's networks: the pre-defined `bridge` (the daemon's own bridge; absent with
 * `--bridge none`), `host` and `none`, and the user-defined bridge networks, each with its own
 * Linux bridge, subnet, address pool and DNS server. All of them share one firewall table.
 * A network is found by full ID, then exact name, then unique ID prefix, as Docker finds one.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { consola } from "consola";
import { Netlink } from "../../ffi/netlink.ts";
import { ConflictError, ForbiddenError, InvalidArgumentError, NotFoundError } from "../errors.ts";
import { newId } from "../util/ids.ts";
import { BridgeNetwork, VETH_PREFIX } from "./bridge-network.ts";
import { ensureBridge, freeSubnet } from "./bridge.ts";
import { DnsServer } from "./dns/dns-server.ts";
import { Firewall, firewallTable } from "./firewall.ts";
import { upstreamResolvers } from "./host-resolvers.ts";
import { formatSubnet, overlaps, parseCidr, subnetOf, toDotted, type Subnet } from "./ipv4.ts";
import { NetworkStore, type NetworkRecord } from "./network-store.ts";

export type NetworkDriver = "bridge" | "host" | "null";

/** One network as the API shows it. */
export interface NetworkInfo {
  id: string;
  name: string;
  driver: NetworkDriver;
  created: string;
  /** bridge, host and none: listed, never removed. */
  predefined: boolean;
  internal: boolean;
  attachable: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  /** Bridge networks only. */
  bridge?: BridgeNetwork;
  ipRange?: string;
}

/** A container on a network, as the DNS server and inspect need it. */
export interface Member {
  id: string;
  name: string;
  aliases: string[];
  address: string;
  /** The container's own `--dns`: where its DNS server forwards its questions. */
  dns: string[];
  endpoint: { HostVeth: string; MacAddress: string; IPPrefixLen: number };
}

export interface CreateNetwork {
  name: string;
  internal: boolean;
  attachable: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
}

export interface NetworksOptions {
  root: string;
  /** The default bridge's name, or "none". */
  bridge: string;
  bip?: string;
  /** The daemon's `--dns`: where the DNS servers forward names that are not the network's. */
  dns: string[];
}

const BRIDGE_NAME_OPTION = "com.docker.network.bridge.name";
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** A fixed ID for a pre-defined network, the same across daemon restarts. */
function predefinedId(name: string, bridge: string): string {
  return createHash("sha256").update(`bunker-network:${name}:${bridge}`).digest("hex");
}

export class Networks {
  readonly #store: NetworkStore;
  readonly #networks = new Map<string, NetworkInfo>();
  readonly #dns = new Map<string, DnsServer>();
  readonly firewall: Firewall;
  readonly #warnings: string[] = [];
  /** The containers on a network (set by the container service, which owns the records). */
  members: (networkId: string) => Member[] = () => [];

  private constructor(private readonly options: NetworksOptions) {
    this.#store = new NetworkStore(join(options.root, "networks"));
    this.firewall = new Firewall(firewallTable(options.bridge, options.root));
  }

  /** Sets up the default bridge and every stored network again: bridges, firewall (one batch), DNS servers. */
  static open(options: NetworksOptions): Networks {
    const networks = new Networks(options);
    const created = new Date().toISOString();
    for (const name of ["host", "none"] as const) {
      networks.#add({ id: predefinedId(name, options.bridge), name, driver: name === "host" ? "host" : "null", created, predefined: true, internal: false, attachable: false, labels: {}, options: {} });
    }
    if (options.bridge !== "none") {
      const bridge = Netlink.with((netlink) => ensureBridge(netlink, options.bridge, options.bip));
      const id = predefinedId("bridge", options.bridge);
      networks.#add({
        id,
        name: "bridge",
        driver: "bridge",
        created,
        predefined: true,
        internal: false,
        attachable: false,
        labels: {},
        options: { "com.docker.network.bridge.default_bridge": "true", "com.docker.network.bridge.enable_icc": "true", "com.docker.network.bridge.enable_ip_masquerade": "true", [BRIDGE_NAME_OPTION]: bridge.name, "com.docker.network.driver.mtu": "1500" },
        bridge: new BridgeNetwork(id, "bridge", bridge, false),
      });
    }
    for (const record of networks.#store.load()) {
      try {
        networks.#materialize(record);
      } catch (err) {
        consola.warn(`network ${record.Name}: cannot set it up again: ${(err as Error).message}`);
      }
    }
    // One batch for every network at once: the table is rebuilt whole at start.
    networks.#syncFirewall();
    for (const network of networks.#networks.values()) networks.#startDns(network);
    return networks;
  }

  /** What `info` should say is missing: forwarding, nf_tables, DNS servers that could not bind. */
  get warnings(): string[] {
    return [...this.#warnings, ...this.firewall.warnings];
  }

  /** The default bridge network, absent with `--bridge none`. */
  get defaultBridge(): NetworkInfo | undefined {
    return [...this.#networks.values()].find((network) => network.predefined && network.driver === "bridge");
  }

  list(): NetworkInfo[] {
    return [...this.#networks.values()];
  }

  /** By full ID only, without the 404: a container's record names its networks so. */
  byId(id: string): NetworkInfo | undefined {
    return this.#networks.get(id);
  }

  /** By full ID, exact name, then unique ID prefix; Docker's 404 wording. */
  find(ref: string): NetworkInfo {
    const byId = this.#networks.get(ref);
    if (byId) return byId;
    const byName = [...this.#networks.values()].find((network) => network.name === ref);
    if (byName) return byName;
    const byPrefix = ref.length > 0 ? [...this.#networks.values()].filter((network) => network.id.startsWith(ref)) : [];
    if (byPrefix.length === 1) return byPrefix[0];
    if (byPrefix.length > 1) throw new InvalidArgumentError(`network ${ref} is ambiguous (${byPrefix.length} matches found based on ID prefix)`);
    throw new NotFoundError(`network ${ref} not found`);
  }

  create(spec: CreateNetwork): NetworkInfo {
    if (!NAME.test(spec.name)) throw new InvalidArgumentError(`invalid network name "${spec.name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    if ([...this.#networks.values()].some((network) => network.name === spec.name)) throw new ConflictError(`network with name ${spec.name} already exists`);
    const id = newId();
    const { subnet, gateway } = this.#addressing(spec);
    const ipRange = spec.ipRange ? checkRange(spec.ipRange, subnet) : undefined;
    const record: NetworkRecord = {
      Id: id,
      Name: spec.name,
      Created: new Date().toISOString(),
      Internal: spec.internal,
      Attachable: spec.attachable,
      Labels: spec.labels,
      Options: spec.options,
      Subnet: formatSubnet(subnet),
      Gateway: gateway,
      ...(ipRange ? { IPRange: ipRange } : {}),
      Bridge: spec.options[BRIDGE_NAME_OPTION] || `br-${id.slice(0, 12)}`,
    };
    if (record.Bridge.length > 15) throw new InvalidArgumentError(`bridge name ${record.Bridge} is longer than 15 characters`);
    // Recorded before the bridge exists: a crash in between leaves a record the next start
    // sets up, never a bridge no record owns.
    this.#store.save(record);
    let network: NetworkInfo;
    try {
      network = this.#materialize(record);
    } catch (err) {
      deleteBridge(record.Bridge);
      this.#store.remove(record.Id);
      throw err;
    }
    this.#syncFirewall();
    this.#startDns(network);
    return network;
  }

  /** Docker's 403s: a pre-defined network, or one with containers on it. */
  remove(ref: string): NetworkInfo {
    const network = this.find(ref);
    if (network.predefined) throw new ForbiddenError(`${network.name} is a pre-defined network and cannot be removed`);
    if (this.members(network.id).length > 0) throw new ForbiddenError(`error while removing network: network ${network.name} id ${network.id} has active endpoints`);
    // The bridge goes first: a crash in between leaves a record the next start sets up again.
    this.#teardown(network);
    this.#store.remove(network.id);
    this.#syncFirewall();
    return network;
  }

  /** After a daemon restart: veths on the daemon's bridges that no surviving container owns are what a killed daemon left. */
  removeLeftovers(owned: Set<string>): void {
    const bridges = new Set(this.list().flatMap((network) => (network.bridge ? [network.bridge.bridge.index] : [])));
    Netlink.with((netlink) => {
      for (const link of netlink.listLinks()) {
        if (!bridges.has(link.master) || !link.name.startsWith(VETH_PREFIX) || owned.has(link.name)) continue;
        consola.info(`removing ${link.name}, left by a container that is gone`);
        netlink.deleteLink(link.index);
      }
    });
  }

  #add(network: NetworkInfo): NetworkInfo {
    this.#networks.set(network.id, network);
    return network;
  }

  #materialize(record: NetworkRecord): NetworkInfo {
    const prefix = Number(record.Subnet.split("/")[1]);
    const bridge = Netlink.with((netlink) => ensureBridge(netlink, record.Bridge, `${record.Gateway}/${prefix}`));
    const range = record.IPRange ? parseCidr(record.IPRange).subnet : undefined;
    return this.#add({
      id: record.Id,
      name: record.Name,
      driver: "bridge",
      created: record.Created,
      predefined: false,
      internal: record.Internal,
      attachable: record.Attachable,
      labels: record.Labels ?? {},
      options: record.Options ?? {},
      bridge: new BridgeNetwork(record.Id, record.Name, bridge, record.Internal, range),
      ...(record.IPRange ? { ipRange: record.IPRange } : {}),
    });
  }

  #teardown(network: NetworkInfo): void {
    this.#dns.get(network.id)?.stop();
    this.#dns.delete(network.id);
    this.#networks.delete(network.id);
    if (network.bridge) deleteBridge(network.bridge.bridge.name);
  }

  /** The subnet asked for (checked against the others), or the next free private /16; the gateway is its first address unless given. */
  #addressing(spec: CreateNetwork): { subnet: Subnet; gateway: string } {
    const others = this.list().flatMap((network) => (network.bridge ? [network.bridge.bridge.subnet] : []));
    let subnet: Subnet;
    if (spec.subnet) {
      subnet = parseCidr(spec.subnet).subnet;
      if (others.some((other) => overlaps(other, subnet))) throw new ForbiddenError(`Pool overlaps with other one on this address space`);
    } else {
      if (spec.gateway) throw new InvalidArgumentError("a gateway needs a subnet: give --subnet too");
      subnet = Netlink.with((netlink) => freeSubnet(netlink, others));
    }
    const gateway = spec.gateway ?? toDotted(subnet.base + 1);
    if (subnetOf(gateway, subnet.prefixLength).base !== subnet.base) throw new InvalidArgumentError(`gateway ${gateway} is not in subnet ${formatSubnet(subnet)}`);
    return { subnet, gateway };
  }

  #syncFirewall(): void {
    this.firewall.setNetworks(this.list().flatMap((network) => (network.bridge ? [{ bridge: network.bridge.bridge, internal: network.internal }] : [])));
  }

  /**
   * User-defined networks get a DNS server on their gateway; the default bridge has none, as
   * under Docker. Binding takes a turn of the event loop, long before any container can ask.
   */
  #startDns(network: NetworkInfo): void {
    if (network.predefined || !network.bridge) return;
    const server = new DnsServer(network.bridge.bridge.gateway, (name, client) => this.#resolve(network, name, client), (client) => this.#upstreamsFor(network, client));
    this.#dns.set(network.id, server);
    void server.start().then((problem) => {
      if (!problem) return;
      this.#warnings.push(problem);
      consola.warn(problem);
      if (this.#dns.get(network.id) === server) this.#dns.delete(network.id);
    });
  }

  /** A container's own `--dns` if it gave one (Docker's external servers), else the daemon's or the host's resolvers. */
  #upstreamsFor(network: NetworkInfo, client: string): string[] {
    const own = this.members(network.id).find((m) => m.address === client)?.dns ?? [];
    return own.length > 0 ? own : upstreamResolvers(this.options.dns);
  }

  /**
   * A name asked by the container at `client` on `network`: a container's name, alias or ID
   * (short or full), bare or as `name.<network>`, on any network the asking container is on
   * (as Docker resolves), each answer an address on that network. A bare name or one under a
   * network's own domain that names no container is answered NXDOMAIN here (forwarding it would
   * only tell the world our names); any other dotted name is left to the upstream resolvers.
   */
  #resolve(network: NetworkInfo, query: string, client: string): string[] | "unknown" | undefined {
    // Each network's members once per question: every lookup of them scans the container records.
    const members = new Map(this.list().map((n) => [n.id, this.members(n.id)]));
    const asker = members.get(network.id)!.find((m) => m.address === client);
    const visible = asker ? this.list().filter((n) => members.get(n.id)!.some((m) => m.id === asker.id)) : [network];
    let scoped = false;
    for (const candidate of visible) {
      const domain = `.${candidate.name.toLowerCase()}`;
      const inDomain = query.endsWith(domain);
      scoped ||= inDomain;
      const name = inDomain ? query.slice(0, -domain.length) : query;
      const found = members
        .get(candidate.id)!
        .filter((m) => m.name.toLowerCase() === name || m.aliases.some((alias) => alias.toLowerCase() === name) || (name.length >= 12 && m.id.startsWith(name)))
        .map((m) => m.address);
      if (found.length > 0) return found;
    }
    return scoped || !query.includes(".") ? "unknown" : undefined;
  }
}

function deleteBridge(name: string): void {
  try {
    Netlink.with((netlink) => {
      const index = netlink.linkIndex(name);
      if (index !== undefined) netlink.deleteLink(index);
    });
  } catch (err) {
    consola.warn(`cannot remove bridge ${name}: ${(err as Error).message}`);
  }
}

function checkRange(range: string, subnet: Subnet): string {
  const [base, length] = range.split("/");
  const parsed = subnetOf(base, Number(length));
  if (parsed.prefixLength < subnet.prefixLength || !overlaps(parsed, subnet)) throw new InvalidArgumentError(`ip-range ${range} is not inside subnet ${formatSubnet(subnet)}`);
  return formatSubnet(parsed);
}
