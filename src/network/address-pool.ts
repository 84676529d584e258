/**
 * The containers' addresses on the bridge. An address is taken at start, recorded with the
 * container, and given back on every way out; a restarted daemon claims the addresses of the
 * containers it adopts again. Handing out round-robin keeps a just-freed address from going
 * straight to the next container, whose neighbours may still have the old MAC cached.
 */
import { ConflictError, InvalidArgumentError } from "../errors.ts";
import { mask, toDotted, toNumber, type Subnet } from "./ipv4.ts";

export class AddressPool {
  readonly #inUse = new Set<number>();
  readonly #first: number;
  readonly #last: number;
  #next: number;

  readonly #subnet: Subnet;

  /** `range` (`--ip-range`) narrows what `allocate` hands out; `take` may still name any address of the subnet. */
  constructor(subnet: Subnet, private readonly gateway: string, range: Subnet = subnet) {
    this.#subnet = subnet;
    this.#first = Math.max(range.base, subnet.base + 1);
    this.#last = (range.base | ~mask(range.prefixLength)) >>> 0; // the broadcast address, never handed out
    this.#last = Math.min(this.#last, (subnet.base | ~mask(subnet.prefixLength)) >>> 0);
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

  /** A chosen address (`--ip`): inside the subnet, not the gateway, not taken. */
  take(address: string): string {
    const n = toNumber(address);
    const broadcast = (this.#subnet.base | ~mask(this.#subnet.prefixLength)) >>> 0;
    if (((n & mask(this.#subnet.prefixLength)) >>> 0) !== this.#subnet.base || n === this.#subnet.base || n === broadcast) {
      throw new InvalidArgumentError(`no configured subnet or ip-range contain the IP address ${address}`);
    }
    if (n === toNumber(this.gateway) || this.#inUse.has(n)) throw new ConflictError(`Address already in use: ${address}`);
    this.#inUse.add(n);
    return address;
  }

  /** A surviving container's address, taken again after a daemon restart. */
  claim(address: string): void {
    this.#inUse.add(toNumber(address));
  }

  release(address: string): void {
    this.#inUse.delete(toNumber(address));
  }
}
