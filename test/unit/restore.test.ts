import { describe, expect, test } from "bun:test";
import { processStartTime } from "../../src/container/reaper.ts";
import { initialState, type ContainerRecord } from "../../src/container/record.ts";
import { restoreContainers, type RestoreMechanics } from "../../src/container/restore.ts";

function record(id: string, state: Partial<ContainerRecord["State"]>, host: Partial<ContainerRecord["HostConfig"]> = {}): ContainerRecord {
  return {
    Id: id,
    State: { ...initialState(), ...state },
    HostConfig: { AutoRemove: false, RestartPolicy: { Name: "no", MaximumRetryCount: 0 }, ...host },
    HasBeenManuallyStopped: false,
  } as ContainerRecord;
}

function recording(): { mechanics: RestoreMechanics; calls: string[] } {
  const calls: string[] = [];
  const log = (name: string) => (arg: ContainerRecord | ContainerRecord[] | Set<string>) =>
    calls.push(`${name} ${arg instanceof Set ? [...arg].join(",") : Array.isArray(arg) ? arg.map((r) => r.Id).join(",") : arg.Id}`);
  return {
    calls,
    mechanics: { adoptNetworks: log("adopt"), adoptVolumes: log("volumes"), sweepCgroups: log("sweep"), watchAgain: log("watch"), settleDead: log("settle"), remove: log("remove"), startByPolicy: log("start") },
  };
}

describe("restoring the previous daemon's containers", () => {
  test("a survivor is watched again; the dead are settled, then removed (--rm) or started by their policy", () => {
    // This test process stands in for a surviving init: its PID and start time match.
    const alive = record("alive", { Status: "running", Pid: process.pid, PidStartTime: processStartTime(process.pid) ?? 0 });
    const reused = record("reused", { Status: "running", Pid: process.pid, PidStartTime: 1 }); // same PID, another process
    const removed = record("removed", { Status: "exited" }, { AutoRemove: true });
    const always = record("always", { Status: "exited", StartedAt: "2026-12-01T00:00:00Z" }, { RestartPolicy: { Name: "always", MaximumRetryCount: 0 } });
    const { mechanics, calls } = recording();
    restoreContainers([alive, reused, removed, always], mechanics);
    expect(calls).toEqual(["sweep alive", "adopt alive", "volumes alive", "watch alive", "settle reused", "settle removed", "remove removed", "settle always", "start always"]);
  });
});
