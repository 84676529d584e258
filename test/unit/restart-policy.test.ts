import { describe, expect, test } from "bun:test";
import { InvalidArgumentError } from "../../src/errors.ts";
import { afterExit, FRESH_BACKOFF, startsWithDaemon, validRestartPolicy, type Backoff } from "../../src/container/restart-policy.ts";
import { initialState, type ContainerRecord, type RestartPolicy } from "../../src/container/record.ts";

const policy = (Name: RestartPolicy["Name"], MaximumRetryCount = 0): RestartPolicy => ({ Name, MaximumRetryCount });

describe("validRestartPolicy", () => {
  test("an empty policy is no", () => {
    expect(validRestartPolicy(undefined, false)).toEqual(policy("no"));
    expect(validRestartPolicy({ Name: "" }, true)).toEqual(policy("no"));
  });

  test("Docker's refusals", () => {
    expect(() => validRestartPolicy({ Name: "sometimes" as RestartPolicy["Name"] }, false)).toThrow(InvalidArgumentError);
    expect(() => validRestartPolicy(policy("always", 3), false)).toThrow("only be used with 'on-failure'");
    expect(() => validRestartPolicy(policy("on-failure", -1), false)).toThrow("positive integer");
    expect(() => validRestartPolicy(policy("unless-stopped"), true)).toThrow("AutoRemove");
    expect(validRestartPolicy(policy("on-failure", 2), false)).toEqual(policy("on-failure", 2));
  });
});

describe("afterExit", () => {
  /** The delays of `n` quick exits in a row, or null where the policy stops restarting. */
  function delays(p: RestartPolicy, exitCode: number, n: number, ranMs = 0): (number | null)[] {
    let backoff: Backoff = FRESH_BACKOFF;
    const out: (number | null)[] = [];
    for (let i = 0; i < n; i++) {
      const decision = afterExit(p, { exitCode, ranMs }, backoff);
      backoff = decision.backoff;
      out.push(decision.restart ? decision.delayMs : null);
    }
    return out;
  }

  test("the delay starts at 100 ms and doubles, up to a minute", () => {
    expect(delays(policy("always"), 0, 5)).toEqual([100, 200, 400, 800, 1600]);
    expect(delays(policy("always"), 0, 12).at(-1)).toBe(60_000);
  });

  test("a run of 10 s or more resets the delay", () => {
    const first = afterExit(policy("always"), { exitCode: 0, ranMs: 0 }, { retries: 5, delayMs: 3200 });
    expect(first).toMatchObject({ restart: true, delayMs: 6400 });
    const healthy = afterExit(policy("always"), { exitCode: 0, ranMs: 10_000 }, { retries: 5, delayMs: 3200 });
    expect(healthy).toMatchObject({ restart: true, delayMs: 100 });
  });

  test("on-failure:2 restarts a failure twice and a success never", () => {
    expect(delays(policy("on-failure", 2), 1, 4)).toEqual([100, 200, null, null]);
    expect(delays(policy("on-failure"), 1, 3)).toEqual([100, 200, 400]);
    expect(delays(policy("on-failure"), 0, 2)).toEqual([null, null]);
  });

  test("no never restarts; unless-stopped restarts like always", () => {
    expect(delays(policy("no"), 1, 2)).toEqual([null, null]);
    expect(delays(policy("unless-stopped"), 0, 2)).toEqual([100, 200]);
  });
});

describe("startsWithDaemon", () => {
  function record(name: RestartPolicy["Name"], state: Partial<ContainerRecord["State"]>, stopped = false): ContainerRecord {
    return {
      HostConfig: { RestartPolicy: policy(name) },
      State: { ...initialState(), StartedAt: "2024-01-01T00:00:00Z", Status: "exited", ...state },
      HasBeenManuallyStopped: stopped,
    } as ContainerRecord;
  }

  test("always, even after a stop by the user (as Docker documents)", () => {
    expect(startsWithDaemon(record("always", {}))).toBe(true);
    expect(startsWithDaemon(record("always", {}, true))).toBe(true);
  });

  test("unless-stopped unless the user stopped it; on-failure after a failure", () => {
    expect(startsWithDaemon(record("unless-stopped", {}))).toBe(true);
    expect(startsWithDaemon(record("unless-stopped", {}, true))).toBe(false);
    expect(startsWithDaemon(record("on-failure", { ExitCode: 255 }))).toBe(true);
    expect(startsWithDaemon(record("on-failure", { ExitCode: 0 }))).toBe(false);
    expect(startsWithDaemon(record("no", { ExitCode: 1 }))).toBe(false);
  });

  test("never a container that never started, or one running", () => {
    expect(startsWithDaemon(record("always", { StartedAt: initialState().StartedAt, Status: "created" }))).toBe(false);
    expect(startsWithDaemon(record("always", { Status: "running" }))).toBe(false);
  });
});
