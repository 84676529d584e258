/**
 * The containers' addresses on the bridge. An address is taken at start, recorded with the
 * container, and given back on every way out; a restarted daemon claims the addresses of the
 * containers it adopts again. Handing out round-robin keeps a just-freed address from going
 * straight to the next container, whose neighbours may still have the old MAC cached.
 */
import { ConflictError } from "../errors.ts";
import { mask, toDotted, toNumber, type Subnet } from "./ipv4.ts";

export class AddressPool {
  readonly #inUse = new Set<number>();
  readonly #first: number;
  readonly #last: number;
  #next: number;

  constructor(subnet: Subnet, private readonly gateway: string) {
    this.#first = subnet.base + 1;
    this.#last = (subnet.base | ~mask(subnet.prefixLength)) >>> 0; // the broadcast address, never handed out
    this.#next = this.#first;
  }

  get size(): number {
    return this.#inUse.size;
  }

  allocate(): string {
    const count = this.#last - this.#first;
    const gateway = toNumber(this.gateway);
    for (let i = 0; i < count; i++) {
      const candidate = this.#next;
      this.#next = candidate + 1 >= this.#last ? this.#first : candidate + 1;
      if (candidate !== gateway && !this.#inUse.has(candidate)) {
        this.#inUse.add(candidate);
        return toDotted(candidate);
      }
    }
    throw new ConflictError("no IPv4 address left on the bridge's subnet");
  }

  /** A surviving container's address, taken again after a daemon restart. */
  claim(address: string): void {
    this.#inUse.add(toNumber(address));
  }

  release(address: string): void {
    this.#inUse.delete(toNumber(address));
  }
}
