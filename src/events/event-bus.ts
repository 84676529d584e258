/**
 * The daemon's events (`GET /events`, `docker events`): every state change of a container,
 * an exec, an image or a volume, in Docker's message shape. A bounded ring of the latest
 * events serves `since`; each subscriber has a bounded queue, and one that falls that far
 * behind (a client that stopped reading) is dropped, so thousands of slow listeners cannot
 * grow the daemon (dockerd's do, to gigabytes).
 */

export type EventType = "container" | "image" | "volume" | "network" | "daemon";

/** One event as the API sends it (v1.41): `status`, `id` and `from` for old clients too. */
export interface EngineEvent {
  Type: EventType;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: "local";
  time: number;
  timeNano: number;
  status?: string;
  id?: string;
  from?: string;
}

export interface Subscription {
  /** The next events, as they come; ends when the subscriber is dropped or closed. */
  events: AsyncIterable<EngineEvent>;
  close(): void;
}

/** How many past events `since` can reach. */
const RING_SIZE = 1024;
/** How far a subscriber may fall behind before it is dropped. */
const QUEUE_LIMIT = 256;

class Subscriber {
  readonly queue: EngineEvent[] = [];
  #wake: (() => void) | undefined;
  closed = false;

  constructor(
    private readonly matches: (event: EngineEvent) => boolean,
    private readonly onClose: (subscriber: Subscriber) => void,
  ) {}

  offer(event: EngineEvent): void {
    if (this.closed || !this.matches(event)) return;
    if (this.queue.length >= QUEUE_LIMIT) return this.close(); // too slow: dropped, memory given back
    this.queue.push(event);
    this.#notify();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.onClose(this);
    this.#notify();
  }

  async *stream(): AsyncGenerator<EngineEvent> {
    try {
      for (;;) {
        const event = this.queue.shift();
        if (event) {
          yield event;
          continue;
        }
        if (this.closed) return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } finally {
      this.close();
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

export class EventBus {
  readonly #ring: EngineEvent[] = [];
  readonly #subscribers = new Set<Subscriber>();

  /** Records an event and hands it to every subscriber that wants it. */
  emit(type: EventType, action: string, id: string, attributes: Record<string, string> = {}): void {
    const nanos = BigInt(Date.now()) * 1_000_000n + process.hrtime.bigint() % 1_000_000n;
    const event: EngineEvent = {
      ...(type === "container" || type === "image" ? { status: action, id, ...(attributes.image ? { from: attributes.image } : {}) } : {}),
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: "local",
      time: Number(nanos / 1_000_000_000n),
      timeNano: Number(nanos),
    };
    this.#ring.push(event);
    if (this.#ring.length > RING_SIZE) this.#ring.shift();
    for (const subscriber of this.#subscribers) subscriber.offer(event);
  }

  /** Past events since `sinceNano` (that the ring still has) that `matches` keeps, then the live ones. */
  subscribe(matches: (event: EngineEvent) => boolean, sinceNano?: number): Subscription {
    const subscriber = new Subscriber(matches, (s) => this.#subscribers.delete(s));
    if (sinceNano !== undefined) for (const event of this.#ring) if (event.timeNano >= sinceNano) subscriber.offer(event);
    this.#subscribers.add(subscriber);
    return { events: subscriber.stream(), close: () => subscriber.close() };
  }

  /** The recorded events between the two times (for `until` in the past, no live part). */
  history(sinceNano: number, untilNano: number, matches: (event: EngineEvent) => boolean): EngineEvent[] {
    return this.#ring.filter((event) => event.timeNano >= sinceNano && event.timeNano <= untilNano && matches(event));
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }
}
