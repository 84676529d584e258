/**
 * The volumes of containers, as the lifecycle sees them: made while a create plans its mounts,
 * mounted at each start and let go at each exit (Docker's volume events), marked seeded once a
 * start has copied the image in, and released with their container when nothing else uses them.
 * The container records are the volumes' reference counts.
 */
import type { EventBus } from "../events/event-bus.ts";
import type { VolumeStore } from "../volume/store.ts";
import { planMounts } from "./mounts.ts";
import type { ContainerRecord, MountPoint } from "./record.ts";

export class ContainerVolumes {
  constructor(
    private readonly volumes: VolumeStore,
    private readonly events: EventBus,
    private readonly records: () => ContainerRecord[],
  ) {}

  /** The mounts of a new container; a volume this makes is announced. */
  plan(record: ContainerRecord, container: (ref: string) => ContainerRecord): MountPoint[] {
    const before = new Set(this.volumes.list().map((volume) => volume.Name));
    const mounts = planMounts(record, { container, volumes: this.volumes });
    for (const mount of mounts) if (mount.Type === "volume" && !before.has(mount.Name)) this.events.emit("volume", "create", mount.Name, { driver: "local" });
    return mounts;
  }

  /** A start went through: its volumes are seeded from now on, and mounted. */
  started(record: ContainerRecord): void {
    for (const mount of record.Mounts) if (mount.Type === "volume") this.volumes.markSeeded(mount.Name);
    this.#announce(record, "mount");
  }

  exited(record: ContainerRecord): void {
    this.#announce(record, "unmount");
  }

  /**
   * Removes the anonymous volumes of a record no longer in the store that no remaining container
   * uses; a named volume is the user's and stays (`rm -v`, `--rm`, as Docker).
   */
  release(record: ContainerRecord): void {
    const used = new Set(this.records().flatMap((other) => other.Mounts.flatMap((mount) => (mount.Type === "volume" ? [mount.Name] : []))));
    for (const mount of record.Mounts) {
      if (mount.Type !== "volume" || used.has(mount.Name) || !this.volumes.has(mount.Name) || this.volumes.get(mount.Name).Anonymous === false) continue;
      this.volumes.remove(mount.Name);
      this.events.emit("volume", "destroy", mount.Name, { driver: "local" });
    }
  }

  #announce(record: ContainerRecord, action: "mount" | "unmount"): void {
    for (const mount of record.Mounts) {
      if (mount.Type !== "volume") continue;
      const mounted: Record<string, string> = action === "mount" ? { destination: mount.Destination, propagation: "", "read/write": String(mount.RW) } : {};
      this.events.emit("volume", action, mount.Name, { container: record.Id, driver: "local", ...mounted });
    }
  }
}
