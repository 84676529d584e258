/**
 * The daemon's restart bookkeeping, in memory: each container's backoff since the user last
 * started it, the exits the user asked for (which restart nothing), and the restarts waiting
 * out their delay. The decisions themselves are in restart-policy.ts.
 */
import { afterExit, FRESH_BACKOFF, type Backoff } from "./restart-policy.ts";
import type { ContainerRecord } from "./record.ts";

interface Pending {
  /** Set while the restart waits out its delay. */
  timer?: Timer;
  /** Set once the delay is over and the start is under way; never rejects. */
  starting?: Promise<void>;
}

export type CancelOutcome = "canceled" | "started" | "none";

export class Restarts {
  readonly #backoff = new Map<string, Backoff>();
  readonly #exitOnNext = new Set<string>();
  readonly #pending = new Map<string, Pending>();

  /** The user started the container: its policy counts from zero again. */
  reset(id: string): void {
    this.#backoff.delete(id);
    this.#exitOnNext.delete(id);
  }

  /** stop, a fatal kill, rm -f: the coming exit restarts nothing (Docker's ExitOnNext). */
  exitOnNext(id: string): void {
    this.#exitOnNext.add(id);
  }

  /**
   * After an exit has been recorded: whether the policy restarts the container. If it does,
   * `start` runs once the backoff has passed; it must handle its own failure.
   */
  afterExit(record: ContainerRecord, start: () => Promise<void>): boolean {
    if (this.#exitOnNext.delete(record.Id)) return false;
    const ranMs = Date.parse(record.State.FinishedAt) - Date.parse(record.State.StartedAt);
    const decision = afterExit(record.HostConfig.RestartPolicy, { exitCode: record.State.ExitCode, ranMs }, this.#backoff.get(record.Id) ?? FRESH_BACKOFF);
    this.#backoff.set(record.Id, decision.backoff);
    if (!decision.restart) return false;
    const pending: Pending = {};
    pending.timer = setTimeout(() => {
      pending.timer = undefined;
      pending.starting = start().finally(() => this.#pending.delete(record.Id));
    }, decision.delayMs);
    this.#pending.set(record.Id, pending);
    return true;
  }

  /** Waiting to restart, or being restarted. */
  isPending(id: string): boolean {
    return this.#pending.has(id);
  }

  /**
   * Calls off a pending restart: "canceled" if it was still waiting; "started" if its start
   * was under way (awaited here, so the caller then sees it running or failed); "none".
   */
  async cancel(id: string): Promise<CancelOutcome> {
    const pending = this.#pending.get(id);
    if (!pending) return "none";
    if (pending.timer) {
      clearTimeout(pending.timer);
      this.#pending.delete(id);
      return "canceled";
    }
    await pending.starting;
    return "started";
  }

  /** The container is gone. */
  forget(id: string): void {
    this.#backoff.delete(id);
    this.#exitOnNext.delete(id);
  }
}
