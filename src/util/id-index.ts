/**
 * Finds a 64-hex ID from any unique prefix of it, the way `docker rm 4f2` works. IDs are kept
 * sorted, so every ID sharing a prefix sits in one run that a binary search lands on; a lookup
 * costs O(log n) however many thousands of IDs there are.
 */
import { InvalidArgumentError, NotFoundError } from "../errors.ts";

const FULL_ID = /^[0-9a-f]{64}$/;

export class IdIndex {
  private readonly ids: string[] = [];

  get size(): number {
    return this.ids.length;
  }

  add(id: string): void {
    if (!FULL_ID.test(id)) throw new InvalidArgumentError(`invalid ID: ${id}`);
    const at = this.lowerBound(id);
    if (this.ids[at] !== id) this.ids.splice(at, 0, id);
  }

  delete(id: string): void {
    const at = this.lowerBound(id);
    if (this.ids[at] === id) this.ids.splice(at, 1);
  }

  has(id: string): boolean {
    return this.ids[this.lowerBound(id)] === id;
  }

  /** The one ID starting with `prefix`. */
  get(prefix: string): string {
    if (prefix === "") throw new InvalidArgumentError("prefix can't be empty");
    const at = this.lowerBound(prefix);
    const first = this.ids[at];
    if (first === undefined || !first.startsWith(prefix)) throw new NotFoundError(`no such ID: ${prefix}`);
    if (this.ids[at + 1]?.startsWith(prefix)) throw new InvalidArgumentError(`multiple IDs found with provided prefix: ${prefix}`);
    return first;
  }

  /** The index of the first ID not less than `key`. */
  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ids[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
