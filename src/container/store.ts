/**
 * Container records on disk and their in-memory indexes (by ID prefix and by name).
 * Layout: `containers/<id>/config.json`, written atomically. A container is created in
 * `containers/.tmp-<id>` and renamed into place, and removed by renaming it away first,
 * so a crash never leaves a half-registered container for `ps -a` to show.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { consola } from "consola";
import { writeJsonAtomic } from "../util/atomic-write.ts";
import { createStaged, removeStaged, settledEntries } from "../util/staged-dirs.ts";
import { IdIndex } from "../util/id-index.ts";
import { NotFoundError } from "../errors.ts";
import { DEFAULT_PRIVILEGE_SETTINGS, initialState, NEVER, type ContainerRecord } from "./record.ts";
import { NO_LIMITS } from "../cgroup/resources.ts";

const RECORD_FILE = "config.json";

export class ContainerStore {
  readonly #records = new Map<string, ContainerRecord>();
  readonly #names = new Map<string, string>();
  readonly #ids = new IdIndex();

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Reads every container, dropping the leftovers of creates and removes a crash interrupted. */
  load(): void {
    for (const entry of settledEntries(this.dir)) {
      try {
        this.#index(reviveRecord(JSON.parse(readFileSync(join(this.dir, entry, RECORD_FILE), "utf8"))));
      } catch (err) {
        consola.warn(`skipping container ${entry}: ${(err as Error).message}`);
      }
    }
  }

  dirOf(id: string): string {
    return join(this.dir, id);
  }

  add(record: ContainerRecord): void {
    createStaged(this.dir, record.Id, (tmp) => writeJsonAtomic(join(tmp, RECORD_FILE), record));
    this.#index(record);
  }

  save(record: ContainerRecord): void {
    if (!existsSync(this.dirOf(record.Id))) return; // removed meanwhile: nothing to save
    writeJsonAtomic(join(this.dirOf(record.Id), RECORD_FILE), record);
  }

  remove(record: ContainerRecord): void {
    removeStaged(this.dir, record.Id);
    this.#records.delete(record.Id);
    this.#names.delete(record.Name);
    this.#ids.delete(record.Id);
  }

  /** A new name for the record (free, checked by the caller), saved and indexed. */
  rename(record: ContainerRecord, name: string): void {
    this.#names.delete(record.Name);
    record.Name = name;
    this.#names.set(name, record.Id);
    this.save(record);
  }

  has(id: string): boolean {
    return this.#records.has(id);
  }

  nameTaken(name: string): string | undefined {
    return this.#names.get(name);
  }

  list(): ContainerRecord[] {
    return [...this.#records.values()];
  }

  /** By full ID, by name (with or without the API's leading slash), or by unique ID prefix. */
  get(ref: string): ContainerRecord {
    const exact = this.#records.get(ref);
    if (exact) return exact;
    const name = ref.replace(/^\//, "");
    const byName = this.#names.get(name);
    if (byName) return this.#records.get(byName)!;
    try {
      return this.#records.get(this.#ids.get(ref))!;
    } catch (err) {
      if (err instanceof NotFoundError) throw new NotFoundError(`No such container: ${ref}`);
      throw err;
    }
  }

  #index(record: ContainerRecord): void {
    this.#records.set(record.Id, record);
    this.#names.set(record.Name, record.Id);
    this.#ids.add(record.Id);
  }
}

/**
 * A record as read back, every optional field there: records of an older daemon may lack
 * fields added since, and no listing may break on one. A record without its identity is
 * refused (and skipped by load).
 */
function reviveRecord(raw: Partial<ContainerRecord>): ContainerRecord {
  if (typeof raw.Id !== "string" || typeof raw.Name !== "string" || !raw.Config || !raw.HostConfig) throw new Error("not a container record");
  const state = { ...initialState(), ...raw.State };
  return {
    ...raw,
    Created: raw.Created ?? NEVER,
    Path: raw.Path ?? "",
    Args: Array.isArray(raw.Args) ? raw.Args : [],
    Image: raw.Image ?? "",
    Mounts: Array.isArray(raw.Mounts) ? raw.Mounts : [],
    HostConfig: { ...NO_LIMITS, ...DEFAULT_PRIVILEGE_SETTINGS, ...raw.HostConfig },
    State: state,
    RestartCount: raw.RestartCount ?? 0,
    HasBeenManuallyStopped: raw.HasBeenManuallyStopped ?? false,
  } as ContainerRecord;
}
