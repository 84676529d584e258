/** Per-container sets of waiters (wait callbacks, attachments not yet connected), taken whole when their moment comes. */
export class KeyedSets<V> {
  readonly #sets = new Map<string, Set<V>>();

  add(id: string, value: V): void {
    let set = this.#sets.get(id);
    if (!set) this.#sets.set(id, (set = new Set()));
    set.add(value);
  }

  delete(id: string, value: V): void {
    this.#sets.get(id)?.delete(value);
  }

  /** Removes and returns everything waiting on `id`. */
  take(id: string): V[] {
    const set = this.#sets.get(id);
    this.#sets.delete(id);
    return [...(set ?? [])];
  }
}

/** Calls, once, every callback waiting on `id`. */
export function notify<T extends unknown[]>(sets: KeyedSets<(...args: T) => void>, id: string, ...args: T): void {
  for (const callback of sets.take(id)) callback(...args);
}
