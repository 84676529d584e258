/**
 * Layer downloads shared by every pull in the daemon: at most `limit` at once (Docker's
 * max-concurrent-downloads), and one download per layer however many pulls want it, each of
 * them watching its progress. A pull holds the layers it needs until it has registered its
 * image, so a failed pull next to it never removes a layer it is about to use.
 */
import type { ProgressEvent, ProgressSink } from "../registry/types.ts";
import { Semaphore } from "../util/semaphore.ts";

interface Download {
  done: Promise<void>;
  watchers: Set<ProgressSink>;
}

export class LayerDownloads {
  readonly #slots: Semaphore;
  readonly #inFlight = new Map<string, Download>();
  readonly #holds = new Map<string, number>();

  constructor(limit: number) {
    this.#slots = new Semaphore(limit);
  }

  setLimit(limit: number): void {
    this.#slots.resize(limit);
  }

  /**
   * Runs `download` for the layer unless one is already under way, which is joined instead;
   * `watch` sees the progress either way. Says "Waiting" while no slot is free.
   */
  fetch(diffId: string, watch: ProgressSink, download: (report: ProgressSink) => Promise<void>): Promise<void> {
    const running = this.#inFlight.get(diffId);
    if (running) {
      running.watchers.add(watch);
      return running.done.finally(() => running.watchers.delete(watch));
    }
    const watchers = new Set<ProgressSink>([watch]);
    const report = (event: ProgressEvent) => {
      for (const watcher of watchers) watcher(event);
    };
    if (!this.#slots.available) report({ status: "Waiting" });
    const done = this.#slots.run(() => download(report)).finally(() => this.#inFlight.delete(diffId));
    this.#inFlight.set(diffId, { done, watchers });
    return done;
  }

  /** A pull needs these layers until it releases them. */
  hold(diffIds: string[]): void {
    for (const diffId of diffIds) this.#holds.set(diffId, (this.#holds.get(diffId) ?? 0) + 1);
  }

  release(diffIds: string[]): void {
    for (const diffId of diffIds) {
      const left = (this.#holds.get(diffId) ?? 1) - 1;
      if (left > 0) this.#holds.set(diffId, left);
      else this.#holds.delete(diffId);
    }
  }

  isHeld(diffId: string): boolean {
    return this.#holds.has(diffId);
  }
}
