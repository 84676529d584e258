/**
 * What a running container's cgroups let the daemon do to it: change its limits (`update`),
 * freeze it (`pause`, and briefly while its files are copied), sample its usage (`stats`) and
 * list its processes (`top`). The lifecycle service owns the cgroups' life; this works on them.
 */
import { join } from "node:path";
import { ConflictError } from "../errors.ts";
import type { ContainerCgroups } from "../cgroup/container-cgroups.ts";
import { checkResources, type Resources } from "../cgroup/resources.ts";
import { StatsReader } from "../cgroup/stats.ts";
import { freeze, thaw } from "./freezer.ts";
import type { ContainerRecord } from "./record.ts";
import { validRestartPolicy } from "./restart-policy.ts";
import type { ContainerStore } from "./store.ts";

/** Where a record's cgroups are: fixed at create; a record from before that was kept is under the default parent. */
export function cgroupPathOf(record: ContainerRecord): string {
  return record.CgroupPath ?? join("bunker", record.Id);
}

export class ResourceControls {
  constructor(
    private readonly store: ContainerStore,
    private readonly cgroups: ContainerCgroups,
    private readonly isRunning: (record: ContainerRecord) => boolean,
    private readonly announce: (record: ContainerRecord, action: string) => void,
  ) {}

  /** Changes the limits (and restart policy) of a container, running or not; a running one's cgroups take them at once. */
  update(ref: string, requested: Partial<Resources> & { RestartPolicy?: { Name?: string; MaximumRetryCount?: number } | null }): void {
    const record = this.store.get(ref);
    const resources = checkResources(requested, record.HostConfig);
    const policy = requested.RestartPolicy?.Name ? validRestartPolicy(requested.RestartPolicy, record.HostConfig.AutoRemove) : record.HostConfig.RestartPolicy;
    if (this.isRunning(record)) this.cgroups.update(cgroupPathOf(record), resources);
    record.HostConfig = { ...record.HostConfig, ...resources, RestartPolicy: policy };
    this.store.save(record);
    this.announce(record, "update");
  }

  async pause(ref: string): Promise<void> {
    const record = this.#runningRecord(ref);
    if (record.State.Paused) throw new ConflictError(`Container ${record.Id} is already paused`);
    await freeze(this.cgroups, cgroupPathOf(record), record.Id);
    record.State = { ...record.State, Paused: true };
    this.store.save(record);
    this.announce(record, "pause");
  }

  unpause(ref: string): void {
    const record = this.#runningRecord(ref);
    if (!record.State.Paused) throw new ConflictError(`Container ${record.Id} is not paused`);
    thaw(this.cgroups, cgroupPathOf(record), record.Id);
    record.State = { ...record.State, Paused: false };
    this.store.save(record);
    this.announce(record, "unpause");
  }

  /** Freezes a running container while the daemon works on its files; a paused one stays as it is. */
  async freezeBriefly(record: ContainerRecord): Promise<() => void> {
    if (record.State.Paused) return () => {};
    await freeze(this.cgroups, cgroupPathOf(record), record.Id);
    return () => thaw(this.cgroups, cgroupPathOf(record), record.Id);
  }

  /** A reader of a running container's usage samples (undefined when it is not running); the caller closes it. */
  statsReader(record: ContainerRecord): StatsReader | undefined {
    if (!this.isRunning(record)) return undefined;
    return new StatsReader(this.cgroups, cgroupPathOf(record), record.State.Pid);
  }

  /** The processes of a running container, from its cgroups. */
  pidsOf(record: ContainerRecord): Set<number> {
    return this.cgroups.pids(cgroupPathOf(record));
  }

  #runningRecord(ref: string): ContainerRecord {
    const record = this.store.get(ref);
    if (!this.isRunning(record)) throw new ConflictError(`Container ${record.Id} is not running`);
    return record;
  }
}
