/**
 * The volumes of containers, as the lifecycle sees them: made while a create plans its mounts,
 * mounted at each start and let go at each exit (Docker's volume events), marked seeded once a
 * start has copied the image in, and released with their container when nothing else uses them.
 * The container records are the volumes' reference counts.
 */
import type { EventBus } from "../events/event-bus.ts";
import { EngineError } from "../errors.ts";
import type { VolumeStore } from "../volume/store.ts";
import { VolumeMounts } from "../volume/volume-mounts.ts";
import { planMounts } from "./mounts.ts";
import type { ContainerRecord, MountPoint } from "./record.ts";

export class ContainerVolumes {
  readonly #mounts = new VolumeMounts();

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

  /** Before a start: the volumes with driver options mounted on their data directories (a failure fails the start). */
  mountDriverVolumes(record: ContainerRecord): void {
    const done: string[] = [];
    for (const name of this.#driverVolumes(record)) {
      const dataPath = this.volumes.dataPath(name);
      try {
        this.#mounts.acquire(dataPath, this.volumes.get(name).Options!, record.Id);
      } catch (err) {
        for (const mounted of done) this.#mounts.release(mounted, record.Id);
        throw new EngineError(`error while mounting volume '${dataPath}': ${(err as Error).message}`);
      }
      done.push(dataPath);
    }
  }

  /** After an exit or a failed start: the last container out unmounts. */
  unmountDriverVolumes(record: ContainerRecord): void {
    for (const name of this.#driverVolumes(record)) this.#mounts.release(this.volumes.dataPath(name), record.Id);
  }

  /** At daemon start: the survivors keep their volumes mounted; every other driver volume's mount goes. */
  adoptDriverVolumes(survivors: ContainerRecord[]): void {
    for (const record of survivors) this.mountDriverVolumes(record);
    for (const volume of this.volumes.list()) if (volume.Options) this.#mounts.unmountUnused(this.volumes.dataPath(volume.Name));
  }

  exited(record: ContainerRecord): void {
    this.unmountDriverVolumes(record);
    this.#announce(record, "unmount");
  }

  #driverVolumes(record: ContainerRecord): string[] {
    return record.Mounts.flatMap((mount) => (mount.Type === "volume" && this.volumes.has(mount.Name) && this.volumes.get(mount.Name).Options ? [mount.Name] : []));
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
