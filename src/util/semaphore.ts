/** At most `limit` holders at a time; the rest wait in order. */
export class Semaphore {
  #free: number;
  #limit: number;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
    this.#free = this.#limit;
  }

  /** A new limit (a daemon reload): more slots start waiting work now; fewer take effect as work ends. */
  resize(limit: number): void {
    const next = Math.max(1, limit);
    this.#free += next - this.#limit;
    this.#limit = next;
    while (this.#free > 0 && this.#waiting.length > 0) {
      this.#free--;
      this.#waiting.shift()!();
    }
  }

  /** Whether a slot is free right now (a pull says "Waiting" when not). */
  get available(): boolean {
    return this.#free > 0;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.#free >= 0 ? this.#waiting.shift() : undefined;
      if (next) next();
      else this.#free++;
    }
  }
}
