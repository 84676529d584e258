/**
 * `network create|ls|inspect|rm|prune` over the daemon's networks, with their events. Which
 * containers are on a network comes from the container records (Networks.members).
 */
import type { EventBus } from "../events/event-bus.ts";
import type { CreateNetwork, Member, NetworkInfo, Networks } from "./networks.ts";

export class NetworkService {
  constructor(
    private readonly networks: Networks,
    private readonly events: EventBus,
  ) {}

  list(): NetworkInfo[] {
    return this.networks.list();
  }

  get(ref: string): NetworkInfo {
    return this.networks.find(ref);
  }

  membersOf(network: NetworkInfo): Member[] {
    return this.networks.members(network.id);
  }

  create(spec: CreateNetwork): NetworkInfo {
    const network = this.networks.create(spec);
    this.events.emit("network", "create", network.id, { name: network.name, type: network.driver });
    return network;
  }

  remove(ref: string): void {
    const network = this.networks.remove(ref);
    this.events.emit("network", "destroy", network.id, { name: network.name, type: network.driver });
  }

  /** Every user-defined network with no container on it that `eligible` keeps; their names. */
  prune(eligible: (network: NetworkInfo) => boolean): string[] {
    const removed: string[] = [];
    for (const network of this.networks.list()) {
      if (network.predefined || !eligible(network) || this.membersOf(network).length > 0) continue;
      this.remove(network.id);
      removed.push(network.name);
    }
    return removed;
  }
}
