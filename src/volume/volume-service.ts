/**
 * Named volumes (`volume create|ls|inspect|rm|prune`, and `-v NAME:/path`): the store's volumes
 * with their users, which are the container records that mount them. A volume in use cannot be
 * removed; prune takes every volume no container uses, as Docker 20.10 does.
 */
import { ConflictError } from "../errors.ts";
import type { EventBus } from "../events/event-bus.ts";
import type { ContainerRecord } from "../container/record.ts";
import { treeSize } from "../container/tree-size.ts";
import type { Volume, VolumeStore } from "./store.ts";
import { checkVolumeOptions } from "./volume-mounts.ts";

export class VolumeService {
  constructor(
    private readonly store: VolumeStore,
    private readonly containers: () => ContainerRecord[],
    private readonly events: EventBus,
  ) {}

  /** `driverOptions`: the local driver's type, device and o, checked as Docker checks them. */
  create(name: string | undefined, labels: Record<string, string> = {}, driverOptions: Record<string, string> = {}): Volume {
    const existed = name !== undefined && this.store.has(name);
    const volume = this.store.create({ name, labels, driverOptions: checkVolumeOptions(name ?? "", driverOptions) });
    if (!existed) this.events.emit("volume", "create", volume.Name, { driver: "local" });
    return volume;
  }

  get(name: string): Volume {
    return this.store.get(name);
  }

  list(): Volume[] {
    return this.store.list();
  }

  dataPath(name: string): string {
    return this.store.dataPath(name);
  }

  /** The IDs of the containers that mount the volume. */
  usersOf(name: string): string[] {
    return this.containers()
      .filter((record) => record.Mounts.some((mount) => mount.Type === "volume" && mount.Name === name))
      .map((record) => record.Id);
  }

  /** Docker's 409 for a volume in use, naming its containers. */
  remove(name: string): void {
    this.store.get(name);
    const users = this.usersOf(name);
    if (users.length > 0) throw new ConflictError(`remove ${name}: volume is in use - [${users.join(", ")}]`);
    this.store.remove(name);
    this.events.emit("volume", "destroy", name, { driver: "local" });
  }

  /** Every volume no container uses and `eligible` keeps; their names and the bytes they held. */
  async prune(eligible: (volume: Volume) => boolean): Promise<{ removed: string[]; space: number }> {
    const removed: string[] = [];
    let space = 0;
    for (const volume of this.store.list()) {
      if (!eligible(volume) || this.usersOf(volume.Name).length > 0) continue;
      space += await treeSize(this.store.dataPath(volume.Name));
      this.remove(volume.Name);
      removed.push(volume.Name);
    }
    return { removed, space };
  }
}
