/**
 * Restart policies (`--restart no|on-failure[:N]|always|unless-stopped`) as Docker applies
 * them: which exits restart the container, after what delay, and which containers a daemon
 * start brings back. Pure decisions; the service owns the timers.
 */
import { InvalidArgumentError } from "../errors.ts";
import { NEVER, type ContainerRecord, type RestartPolicy } from "./record.ts";

/** Docker's backoff: 100 ms, doubling after each restart, capped at a minute... */
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 60_000;
/** ...and back to 100 ms once a run lasted this long: the container is healthy again. */
const HEALTHY_RUN_MS = 10_000;

const NAMES: RestartPolicy["Name"][] = ["", "no", "always", "on-failure", "unless-stopped"];

/** The policy of a create request, refused when Docker would refuse it. */
export function validRestartPolicy(policy: { Name?: string; MaximumRetryCount?: number } | undefined, autoRemove: boolean): RestartPolicy {
  const name = (policy?.Name ?? "") as RestartPolicy["Name"];
  const count = policy?.MaximumRetryCount ?? 0;
  if (!NAMES.includes(name)) throw new InvalidArgumentError(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  if (!Number.isInteger(count) || count < 0) throw new InvalidArgumentError("invalid restart policy: maximum retry count must be a positive integer");
  if (count > 0 && name !== "on-failure") throw new InvalidArgumentError(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  // A container that removes itself on exit has nothing left to restart.
  if (autoRemove && name !== "" && name !== "no") throw new InvalidArgumentError("can't create 'AutoRemove' container with restart policy");
  return { Name: name || "no", MaximumRetryCount: count };
}

/** Per container, from its last start by the user: restarts done since, and the current delay. */
export interface Backoff {
  retries: number;
  delayMs: number;
}

export const FRESH_BACKOFF: Backoff = { retries: 0, delayMs: 0 };

export interface ExitFacts {
  exitCode: number;
  /** How long this run lasted. */
  ranMs: number;
}

export type Decision = { restart: false; backoff: Backoff } | { restart: true; delayMs: number; backoff: Backoff };

/**
 * Whether an exit restarts the container, and when (Docker's restartmanager.ShouldRestart).
 * Exits the user asked for (stop, a fatal kill, rm -f) never get here, so `unless-stopped`
 * acts as `always`; the two differ only when the daemon starts (`startsWithDaemon`).
 */
export function afterExit(policy: RestartPolicy, exit: ExitFacts, backoff: Backoff): Decision {
  const delayMs = exit.ranMs >= HEALTHY_RUN_MS || backoff.delayMs === 0 ? FIRST_DELAY_MS : Math.min(backoff.delayMs * 2, MAX_DELAY_MS);
  let restart: boolean;
  switch (policy.Name) {
    case "always":
    case "unless-stopped":
      restart = true;
      break;
    case "on-failure":
      restart = exit.exitCode !== 0 && (policy.MaximumRetryCount === 0 || backoff.retries < policy.MaximumRetryCount);
      break;
    default:
      restart = false;
  }
  if (!restart) return { restart: false, backoff: { ...backoff, delayMs } };
  return { restart: true, delayMs, backoff: { retries: backoff.retries + 1, delayMs } };
}

/**
 * Whether a daemon start brings the container back: `always` ones even when the user stopped
 * them (Docker documents this), `unless-stopped` and `on-failure` ones only when the user did
 * not, the latter only after a failure. Never-started containers stay as they are.
 */
export function startsWithDaemon(record: ContainerRecord): boolean {
  if (record.State.StartedAt === NEVER || record.State.Status === "running") return false;
  // Records written before the flag existed lack it: not stopped by the user.
  const stopped = record.HasBeenManuallyStopped ?? false;
  switch (record.HostConfig.RestartPolicy.Name) {
    case "always":
      return true;
    case "unless-stopped":
      return !stopped;
    case "on-failure":
      return !stopped && record.State.ExitCode !== 0;
    default:
      return false;
  }
}
