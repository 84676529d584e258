import { describe, expect, test } from "bun:test";
import { initialState, type ContainerRecord } from "../../src/container/record.ts";
import { IllegalTransitionError, transition } from "../../src/container/state-machine.ts";

function record(): ContainerRecord {
  return { Id: "c".repeat(64), State: initialState() } as ContainerRecord;
}

describe("a container's state machine", () => {
  test("created → running → exited → restarting → running, carrying the fields given", () => {
    const r = record();
    transition(r, "running", { Pid: 42 });
    expect(r.State).toMatchObject({ Status: "running", Pid: 42 });
    transition(r, "exited", { Pid: 0, ExitCode: 3 });
    transition(r, "restarting");
    expect(r.State).toMatchObject({ Status: "restarting", ExitCode: 3 });
    transition(r, "running");
    expect(r.State.Status).toBe("running");
  });

  test("moves the lifecycle does not have are refused, and leave the record as it was", () => {
    const r = record();
    expect(() => transition(r, "exited")).toThrow(IllegalTransitionError);
    expect(() => transition(r, "restarting")).toThrow(IllegalTransitionError);
    transition(r, "running");
    for (const to of ["running", "created", "restarting"] as const) expect(() => transition(r, to)).toThrow(IllegalTransitionError);
    expect(r.State.Status).toBe("running");
  });
});
