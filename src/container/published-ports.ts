/**
 * The daemon's published ports: one host-port allocator, and one publisher per running
 * container that owns its proxies. Opened before the container starts (its address is known
 * by then), so a busy port fails the start with nothing half-made; released on every way out.
 */
import { consola } from "consola";
import { publishAll, type PortMap, type PublishedPort } from "../network/port-spec.ts";
import { PortAllocator } from "../network/proxy/port-allocator.ts";
import { PortPublisher } from "../network/proxy/publisher.ts";
import type { ContainerRecord } from "./record.ts";

export class PublishedPorts {
  readonly #allocator = new PortAllocator();
  readonly #publishers = new Map<string, PortPublisher>();

  /** Opens what the container asks for (`-p`, and `-P` for every exposed port) towards `targetIp`. */
  publish(record: ContainerRecord, targetIp: string): Promise<PublishedPort[]> {
    const asked = record.HostConfig.PortBindings ?? {};
    const exposed = Object.keys(record.Config.ExposedPorts ?? {});
    return this.#open(record.Id, record.HostConfig.PublishAllPorts ? publishAll(exposed, asked) : asked, targetIp);
  }

  /** For a container that outlived the previous daemon: the same host ports again (the proxies died with it). */
  async republish(record: ContainerRecord, targetIp: string): Promise<void> {
    const same: PortMap = {};
    for (const port of record.Ports ?? []) {
      const key = `${port.containerPort}/${port.proto}`;
      // An unspecified address was published as both 0.0.0.0 and ::; asking for "" opens both again.
      const hostIp = port.hostIp === "0.0.0.0" || port.hostIp === "::" ? "" : port.hostIp;
      const list = (same[key] ??= []);
      if (!list.some((b) => b.HostIp === hostIp && b.HostPort === `${port.hostPort}`)) list.push({ HostIp: hostIp, HostPort: `${port.hostPort}` });
    }
    try {
      record.Ports = await this.#open(record.Id, same, targetIp);
    } catch (err) {
      consola.warn(`container ${record.Id.slice(0, 12)}: its ports could not be published again: ${(err as Error).message}`);
      record.Ports = [];
    }
  }

  async release(id: string): Promise<void> {
    const publisher = this.#publishers.get(id);
    this.#publishers.delete(id);
    await publisher?.release();
  }

  async #open(id: string, bindings: PortMap, targetIp: string): Promise<PublishedPort[]> {
    if (Object.keys(bindings).length === 0) return [];
    const publisher = new PortPublisher(this.#allocator);
    this.#publishers.set(id, publisher);
    try {
      return await publisher.publish(bindings, targetIp);
    } catch (err) {
      this.#publishers.delete(id);
      throw err;
    }
  }
}
