/**
 * Containers' places on their networks: which networks (kept in the record from create on,
 * changed by connect and disconnect), and while they run an endpoint on each (an address and a
 * veth, from BridgeNetwork) and published ports (PublishedPorts, and the firewall's DNAT).
 * Prepared before a start, released on every way out, re-adopted for the containers that
 * outlive a daemon; connect and disconnect also work on a running container.
 */
import { ForbiddenError, InvalidArgumentError } from "../errors.ts";
import type { Endpoint } from "../network/bridge-network.ts";
import { parseNetworkMode } from "../network/mode.ts";
import type { Member, NetworkInfo, Networks } from "../network/networks.ts";
import type { LaunchNetwork } from "../start/spec.ts";
import { PublishedPorts } from "./published-ports.ts";
import type { ContainerRecord, NetworkAttachment } from "./record.ts";

/** What one start needs: the stages' part of the spec, the endpoints, the nameserver of a user network. */
export interface NetworkPlan {
  launch: LaunchNetwork;
  /** The first endpoint's address is the container's own in /etc/hosts and the target of its ports. */
  endpoints: Endpoint[];
  /** The DNS server of the first user-defined network it is on. */
  nameserver?: string;
}

export interface Prepared {
  plan: NetworkPlan;
  /** Puts the container's ends in place once its init exists (bridge networks only). */
  connect?: (pid: number) => void;
}

/** `EndpointsConfig` entries, as the API has checked them. */
export interface EndpointSettings {
  Aliases?: string[] | null;
  IPAMConfig?: { IPv4Address?: string | null } | null;
}

/** One network of a container, for inspect and `ps`. */
export interface NetworkView {
  id: string;
  name: string;
  attachment: NetworkAttachment;
}

export class ContainerNetworking {
  readonly #ports = new PublishedPorts();

  constructor(private readonly networks: Networks) {}

  /**
   * At create: the network of `NetworkMode` (the default bridge for "default"), with the
   * aliases and address its `EndpointsConfig` entry gives, then any other network named there.
   */
  attachmentsAtCreate(networkMode: string, endpoints: Record<string, EndpointSettings | null> = {}): Record<string, NetworkAttachment> {
    const mode = parseNetworkMode(networkMode);
    if (mode.kind !== "bridge" && mode.kind !== "network") return {};
    const primary = mode.kind === "bridge" ? this.networks.defaultBridge : this.networks.find(mode.name);
    const attachments: Record<string, NetworkAttachment> = {};
    const join = (network: NetworkInfo, settings: EndpointSettings | null | undefined) => {
      attachments[network.id] = this.#attachment(network, settings);
    };
    // The docker CLI sends an entry for the mode itself, "default" included.
    const ownKeys = new Set([networkMode, ...(primary ? [primary.name, primary.id] : []), ...(mode.kind === "bridge" ? ["default", "bridge"] : [])]);
    if (primary) join(primary, [...ownKeys].map((key) => endpoints[key]).find(Boolean));
    for (const [ref, settings] of Object.entries(endpoints)) {
      if (ownKeys.has(ref)) continue;
      const network = this.networks.find(ref);
      if (!attachments[network.id]) join(network, settings);
    }
    return attachments;
  }

  /** Records from before user-defined networks: on the default bridge when in bridge mode, with the endpoint they had. */
  migrate(record: ContainerRecord): void {
    if (record.Networks) return;
    const bridge = this.networks.defaultBridge;
    const onBridge = parseNetworkMode(record.HostConfig.NetworkMode).kind === "bridge" && bridge;
    record.Networks = onBridge ? { [bridge.id]: { Aliases: [], ...(record.Endpoint ? { Endpoint: { ...record.Endpoint, NetworkID: bridge.id, Interface: "eth0" } } : {}) } } : {};
    delete record.Endpoint;
  }

  /** The container's networks by name, those since removed left out. */
  viewsOf(record: ContainerRecord): NetworkView[] {
    return Object.entries(record.Networks ?? {}).flatMap(([id, attachment]) => {
      const network = this.networks.byId(id);
      return network ? [{ id, name: network.name, attachment }] : [];
    });
  }

  /** The first endpoint: the address in /etc/hosts, of `inspect`'s top-level fields, that published ports lead to. */
  primaryEndpoint(record: ContainerRecord): Endpoint | undefined {
    return Object.values(record.Networks ?? {}).find((attachment) => attachment.Endpoint)?.Endpoint;
  }

  /** The running containers on a network, for its DNS server and inspect. */
  membersOf(networkId: string, records: ContainerRecord[]): Member[] {
    return records.flatMap((record) => {
      const attachment = record.Networks?.[networkId];
      if (!attachment?.Endpoint) return [];
      return [{ id: record.Id, name: record.Name, aliases: attachment.Aliases, address: attachment.Endpoint.IPAddress, endpoint: attachment.Endpoint, dns: record.HostConfig.Dns ?? [] }];
    });
  }

  /**
   * The addresses, then the ports, recorded in `record`. The ports are opened before the
   * container starts, so a busy one fails the start with nothing half-made.
   */
  async prepare(record: ContainerRecord, initPidOf: (ref: string) => number): Promise<Prepared> {
    this.migrate(record);
    const mode = parseNetworkMode(record.HostConfig.NetworkMode);
    if (mode.kind === "host") return { plan: { launch: { namespace: "host" }, endpoints: [] } };
    if (mode.kind === "container") return { plan: { launch: { namespace: { join: `/proc/${initPidOf(mode.ref)}/ns/net` } }, endpoints: [] } };
    if (mode.kind === "none") return { plan: { launch: { namespace: "new" }, endpoints: [] } };
    const joined: { network: NetworkInfo; endpoint: Endpoint }[] = [];
    try {
      for (const [id, attachment] of Object.entries(record.Networks ?? {})) {
        const network = this.networks.find(id);
        const endpoint = network.bridge!.endpointFor(record.Id, `eth${joined.length}`, attachment.IPv4Address);
        attachment.Endpoint = endpoint;
        joined.push({ network, endpoint });
      }
      const primary = joined[0]?.endpoint;
      if (primary) {
        record.Ports = await this.#ports.publish(record, primary.IPAddress);
        this.networks.firewall.publish(record.Id, primary.IPAddress, record.Ports);
      }
    } catch (err) {
      await this.release(record);
      throw err;
    }
    const launch: LaunchNetwork = {
      namespace: "new",
      interfaces: joined.map(({ endpoint }) => ({ name: endpoint.Interface!, address: endpoint.IPAddress, prefixLength: endpoint.IPPrefixLen })),
      gateway: joined.find(({ network }) => !network.internal)?.endpoint.Gateway,
    };
    const nameserver = joined.find(({ network }) => !network.predefined)?.endpoint.Gateway;
    const plan: NetworkPlan = { launch, endpoints: joined.map(({ endpoint }) => endpoint), ...(nameserver ? { nameserver } : {}) };
    if (joined.length === 0) return { plan };
    return { plan, connect: (pid) => joined.forEach(({ network, endpoint }) => network.bridge!.connect(endpoint, pid, false)) };
  }

  /** Ports, addresses and veths go back; the record forgets them (saved by the caller). */
  async release(record: ContainerRecord): Promise<void> {
    await this.#ports.release(record.Id);
    this.networks.firewall.unpublish(record.Id);
    this.releaseAddress(record);
  }

  /** For a container found dead at daemon start: this daemon holds no ports for it, only its addresses. */
  releaseAddress(record: ContainerRecord): void {
    this.migrate(record);
    delete record.Ports;
    for (const [id, attachment] of Object.entries(record.Networks ?? {})) {
      if (!attachment.Endpoint) continue;
      this.#bridgeOf(id)?.release(attachment.Endpoint);
      delete attachment.Endpoint;
    }
  }

  /**
   * At daemon start: every veth on the daemon's bridges not a survivor's is a leftover;
   * survivors keep their addresses and get their host ports again (`onPorts` once they are back).
   */
  adoptSurvivors(survivors: ContainerRecord[], onPorts: (record: ContainerRecord) => void): void {
    for (const record of survivors) this.migrate(record);
    const owned = survivors.flatMap((record) => Object.values(record.Networks ?? {}).flatMap((a) => (a.Endpoint ? [a.Endpoint.HostVeth] : [])));
    this.networks.removeLeftovers(new Set(owned));
    for (const record of survivors) {
      for (const [id, attachment] of Object.entries(record.Networks ?? {})) if (attachment.Endpoint) this.#bridgeOf(id)?.adopt(attachment.Endpoint);
      const primary = this.primaryEndpoint(record);
      if (!primary) continue;
      void this.#ports.republish(record, primary.IPAddress).then(() => {
        this.networks.firewall.publish(record.Id, primary.IPAddress, record.Ports ?? []);
        onPorts(record);
      });
    }
  }

  /** `network connect`: recorded for a stopped container, and made at once (a veth into its namespace) for a running one, `pid` its init. */
  connect(record: ContainerRecord, ref: string, settings: EndpointSettings, pid: number | undefined): NetworkInfo {
    this.migrate(record);
    const network = this.networks.find(ref);
    const mode = parseNetworkMode(record.HostConfig.NetworkMode);
    if (mode.kind === "host" || network.driver === "host") throw new InvalidArgumentError("container cannot be disconnected from host network or connected to host network");
    if (mode.kind !== "bridge" && mode.kind !== "network") throw new InvalidArgumentError("container sharing network namespace with another container or host cannot be connected to any other network");
    if (network.driver === "null") throw new InvalidArgumentError("container cannot be connected to the none network");
    const networks = (record.Networks ??= {});
    if (networks[network.id]) throw new ForbiddenError(`endpoint with name ${record.Name} already exists in network ${network.name}`);
    const attachment = this.#attachment(network, settings);
    if (pid !== undefined) {
      const used = new Set(Object.values(networks).flatMap((a) => (a.Endpoint?.Interface ? [a.Endpoint.Interface] : [])));
      let n = 0;
      while (used.has(`eth${n}`)) n++;
      const endpoint = network.bridge!.endpointFor(record.Id, `eth${n}`, attachment.IPv4Address);
      // The first network with a way out gives the container its default route, as at a start.
      const routed = Object.entries(networks).some(([id, a]) => a.Endpoint && this.networks.byId(id)?.internal === false);
      try {
        network.bridge!.connect(endpoint, pid, { defaultRoute: !network.internal && !routed });
      } catch (err) {
        network.bridge!.release(endpoint);
        throw err;
      }
      attachment.Endpoint = endpoint;
    }
    networks[network.id] = attachment;
    return network;
  }

  /** `network disconnect`: a running container loses the interface at once. */
  disconnect(record: ContainerRecord, ref: string): NetworkInfo {
    this.migrate(record);
    const network = this.networks.find(ref);
    const attachment = record.Networks?.[network.id];
    if (!attachment) throw new ForbiddenError(`container ${record.Id} is not connected to network ${network.name}`);
    if (attachment.Endpoint) network.bridge?.release(attachment.Endpoint);
    delete record.Networks![network.id];
    return network;
  }

  #attachment(network: NetworkInfo, settings: EndpointSettings | null | undefined): NetworkAttachment {
    const aliases = settings?.Aliases ?? [];
    const address = settings?.IPAMConfig?.IPv4Address || undefined;
    if (network.driver !== "bridge") throw new InvalidArgumentError(`network ${network.name} is not a bridge network`);
    if (network.predefined && aliases.length > 0) throw new InvalidArgumentError("network-scoped alias is supported only for containers in user defined networks");
    if (network.predefined && address) throw new InvalidArgumentError("user specified IP address is supported on user defined networks only");
    if (address && !/^\d+\.\d+\.\d+\.\d+$/.test(address)) throw new InvalidArgumentError(`invalid IPv4 address: ${address}`);
    return { Aliases: [...aliases], ...(address ? { IPv4Address: address } : {}) };
  }

  #bridgeOf(networkId: string) {
    return this.networks.byId(networkId)?.bridge;
  }
}
