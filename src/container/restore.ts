/**
 * What a starting daemon does with the containers a previous one left: a container recorded as
 * running is either still alive (same PID, same start time), and is watched again, or it died
 * unseen and is recorded as exited. Every container that is not alive gives back its address
 * and cgroups; an auto-removed one goes; one whose restart policy says so starts again. The
 * decisions are here; the service supplies the mechanics.
 */
import { processStartTime } from "./reaper.ts";
import type { ContainerRecord } from "./record.ts";
import { startsWithDaemon } from "./restart-policy.ts";

export interface RestoreMechanics {
  /** Before anything else: the survivors' addresses and ports, before any restart takes them. */
  adoptNetworks(survivors: ContainerRecord[]): void;
  /** The survivors keep their driver volumes mounted; the other mounts of such volumes go. */
  adoptVolumes(survivors: ContainerRecord[]): void;
  /** Removes every container cgroup but the survivors'. */
  sweepCgroups(survivors: Set<string>): void;
  /** Reopens its pipes and watches its init again. */
  watchAgain(record: ContainerRecord): void;
  /** It died unseen (or was waiting to restart): recorded as exited, its address and cgroups given back. */
  settleDead(record: ContainerRecord): void;
  remove(record: ContainerRecord): void;
  startByPolicy(record: ContainerRecord): void;
}

function isAlive(record: ContainerRecord): boolean {
  return record.State.Status === "running" && processStartTime(record.State.Pid) === record.State.PidStartTime;
}

export function restoreContainers(records: ContainerRecord[], mechanics: RestoreMechanics): void {
  const survivors = records.filter(isAlive);
  mechanics.sweepCgroups(new Set(survivors.map((record) => record.Id)));
  mechanics.adoptNetworks(survivors);
  mechanics.adoptVolumes(survivors);
  for (const record of records) {
    if (survivors.includes(record)) {
      mechanics.watchAgain(record);
      continue;
    }
    mechanics.settleDead(record);
    if (record.HostConfig.AutoRemove) mechanics.remove(record);
    else if (startsWithDaemon(record)) mechanics.startByPolicy(record);
  }
}
