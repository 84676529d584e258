/**
 * Containers' places on the network while they run: an address and a veth (from Network) and
 * published ports (PublishedPorts). Prepared before a start, kept in the record, released on
 * every way out, and re-adopted for the containers that outlive a daemon.
 */
import type { Network, NetworkPlan } from "../network/network.ts";
import { PublishedPorts } from "./published-ports.ts";
import type { ContainerRecord } from "./record.ts";

export interface Prepared {
  plan: NetworkPlan;
  /** Puts the container's end in place once its init exists (bridge mode only). */
  connect?: (pid: number) => void;
}

export class ContainerNetworking {
  readonly #ports = new PublishedPorts();

  constructor(private readonly network: Network) {}

  /**
   * The address, then the ports, recorded in `record`. The ports are opened before the
   * container starts, so a busy one fails the start with nothing half-made.
   */
  async prepare(record: ContainerRecord, initPidOf: (ref: string) => number): Promise<Prepared> {
    const plan = this.network.plan(record.Id, record.HostConfig.NetworkMode, initPidOf);
    const endpoint = plan.endpoint;
    record.Endpoint = endpoint;
    if (!endpoint) return { plan };
    record.Ports = await this.#ports.publish(record, endpoint.IPAddress);
    return { plan, connect: (pid) => this.network.connect(endpoint, pid) };
  }

  /** Ports, address and veth go back; the record forgets them (saved by the caller). */
  async release(record: ContainerRecord): Promise<void> {
    await this.#ports.release(record.Id);
    this.releaseAddress(record);
  }

  /** For a container found dead at daemon start: this daemon holds no ports for it, only its address. */
  releaseAddress(record: ContainerRecord): void {
    delete record.Ports;
    if (!record.Endpoint) return;
    this.network.release(record.Endpoint);
    delete record.Endpoint;
  }

  /**
   * At daemon start: every veth on the bridge not a survivor's is a leftover; survivors keep
   * their addresses and get their host ports again (`onPorts` once they are back).
   */
  adoptSurvivors(survivors: ContainerRecord[], onPorts: (record: ContainerRecord) => void): void {
    this.network.removeLeftovers(new Set(survivors.flatMap((record) => (record.Endpoint ? [record.Endpoint.HostVeth] : []))));
    for (const record of survivors) {
      if (!record.Endpoint) continue;
      this.network.adopt(record.Endpoint);
      void this.#ports.republish(record, record.Endpoint.IPAddress).then(() => onPorts(record));
    }
  }
}
