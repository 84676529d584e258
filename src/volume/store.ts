/**
 * Volumes on disk: `volumes/<id>/_data` holds the data a container mounts, `volumes/<id>/volume.json`
 * what bunker knows about it. A volume is made in `volumes/.tmp-<id>` and renamed into place, and
 * removed by renaming it away first, so a crash never leaves a half-made volume under a real ID.
 * The store does not count users: the container records that name a volume are its references.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { consola } from "consola";
import { InvalidArgumentError, NotFoundError } from "../errors.ts";
import { writeJsonAtomic } from "../util/atomic-write.ts";
import { createStaged, removeStaged, settledEntries } from "../util/staged-dirs.ts";
import { newId } from "../util/ids.ts";

const META_FILE = "volume.json";
const DATA_DIR = "_data";

export interface Volume {
  Name: string;
  CreatedAt: string;
  /**
   * Whether the image's content at the mount path has been copied in. A volume is seeded by the
   * first container start that mounts it, only while it is still empty, and never again.
   */
  Seeded: boolean;
  /** Made for one container (`-v /path`, an image's VOLUME), not by name: `rm -v` and `--rm` take it. Absent in older records: all were. */
  Anonymous?: boolean;
  Labels?: Record<string, string>;
  /** The local driver's `type`, `device` and `o` (./volume-mounts.ts); absent for a plain directory. */
  Options?: VolumeOptions;
}

export interface VolumeOptions {
  type?: string;
  device?: string;
  o?: string;
}

/** Docker's rule for a volume's name, with its words. */
export function checkVolumeName(name: string): void {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name)) {
    throw new InvalidArgumentError(`create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
}

export class VolumeStore {
  readonly #volumes = new Map<string, Volume>();

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /**
   * Reads every volume, dropping the leftovers of creates and removes a crash interrupted. A
   * volume whose metadata is missing or unreadable keeps its data: it is recorded again as
   * seeded, since copying the image over data someone may have written would lose it.
   */
  load(): void {
    for (const entry of settledEntries(this.dir)) {
      const path = join(this.dir, entry);
      try {
        this.#volumes.set(entry, JSON.parse(readFileSync(join(path, META_FILE), "utf8")) as Volume);
      } catch (err) {
        if (!existsSync(join(path, DATA_DIR))) {
          consola.warn(`removing volume ${entry}: no data and no metadata`);
          rmSync(path, { recursive: true, force: true });
          continue;
        }
        consola.warn(`volume ${entry}: metadata unreadable (${(err as Error).message}); recording it again`);
        const volume: Volume = { Name: entry, CreatedAt: new Date().toISOString(), Seeded: true };
        writeJsonAtomic(join(path, META_FILE), volume);
        this.#volumes.set(entry, volume);
      }
    }
  }

  /**
   * A new volume: anonymous (a new ID), or named; creating a name that exists returns that volume,
   * as Docker does, so `-v data:/x` in two containers shares one.
   */
  create(options: { name?: string; labels?: Record<string, string>; driverOptions?: VolumeOptions } = {}): Volume {
    if (options.name !== undefined) {
      checkVolumeName(options.name);
      const existing = this.#volumes.get(options.name);
      if (existing) return existing;
    }
    const volume: Volume = {
      Name: options.name ?? newId(),
      CreatedAt: new Date().toISOString(),
      Seeded: false,
      Anonymous: options.name === undefined,
      ...(options.labels && Object.keys(options.labels).length > 0 ? { Labels: options.labels } : {}),
      ...(options.driverOptions && Object.keys(options.driverOptions).length > 0 ? { Options: options.driverOptions } : {}),
    };
    createStaged(this.dir, volume.Name, (tmp) => {
      mkdirSync(join(tmp, DATA_DIR), { mode: 0o755 });
      writeJsonAtomic(join(tmp, META_FILE), volume);
    });
    this.#volumes.set(volume.Name, volume);
    return volume;
  }

  has(name: string): boolean {
    return this.#volumes.has(name);
  }

  list(): Volume[] {
    return [...this.#volumes.values()];
  }

  get(name: string): Volume {
    const volume = this.#volumes.get(name);
    if (!volume) throw new NotFoundError(`get ${name}: no such volume`);
    return volume;
  }

  /** Where the volume's data lives on the host: what containers bind-mount. */
  dataPath(name: string): string {
    return join(this.dir, name, DATA_DIR);
  }

  markSeeded(name: string): void {
    const volume = this.get(name);
    if (volume.Seeded) return;
    volume.Seeded = true;
    writeJsonAtomic(join(this.dir, name, META_FILE), volume);
  }

  remove(name: string): void {
    if (!this.#volumes.delete(name)) return;
    removeStaged(this.dir, name);
  }
}
