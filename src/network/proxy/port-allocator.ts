/**
 * Host ports for published container ports: a named port as given, or one picked from the
 * kernel's ephemeral range (or a `-p 8000-8005:80` host range). The kernel is the judge of
 * "busy": a port is taken by trying to open the proxy on it, so a port bound by anyone else
 * is found out, and a port bunker freed is usable again at once.
 */
import { readFileSync } from "node:fs";
import { ConflictError } from "../../errors.ts";
import type { PortRange, Proto } from "../port-spec.ts";
import { PortInUseError } from "./listeners.ts";

const EPHEMERAL_FILE = "/proc/sys/net/ipv4/ip_local_port_range";
/** Linux's own default, for a host whose /proc says nothing usable. */
const DEFAULT_EPHEMERAL: PortRange = { first: 32768, last: 60999 };

/** The kernel's ephemeral port range, where Docker picks host ports too. */
export function ephemeralRange(file = EPHEMERAL_FILE): PortRange {
  try {
    const [first, last] = readFileSync(file, "utf8").trim().split(/\s+/).map(Number);
    if (Number.isInteger(first) && Number.isInteger(last) && first >= 1 && first <= last && last <= 65535) return { first, last };
  } catch {
    // Not Linux, or /proc not mounted: the default below.
  }
  return DEFAULT_EPHEMERAL;
}

export class PortAllocator {
  /** Host ports bunker holds, with how many holders (127.0.0.1:80 and 127.0.0.2:80 may both be ours). */
  private readonly held: Record<Proto, Map<number, number>> = { tcp: new Map(), udp: new Map() };
  /** Picks go round the range, so a port just given back is the last one handed out again. */
  private readonly cursor: Record<Proto, number>;

  constructor(private readonly ephemeral: PortRange = ephemeralRange()) {
    this.cursor = { tcp: ephemeral.first, udp: ephemeral.first };
  }

  /**
   * Opens something on a host port via `open(port)` and holds that port until release().
   * A single named port is tried as is (its PortInUseError is the caller's answer); a range,
   * or no port at all (the ephemeral range), is searched for a port that opens, skipping the
   * ones bunker holds.
   */
  async acquire<T>(proto: Proto, wanted: PortRange | null, open: (port: number) => Promise<T>): Promise<{ port: number; opened: T }> {
    if (wanted && wanted.first === wanted.last) return { port: wanted.first, opened: await this.openHeld(proto, wanted.first, open) };
    const range = wanted ?? this.ephemeral;
    const size = range.last - range.first + 1;
    const start = wanted ? range.first : this.cursor[proto];
    for (let tried = 0; tried < size; tried++) {
      const port = range.first + ((start - range.first + tried) % size);
      if (this.held[proto].has(port)) continue;
      if (!wanted) this.cursor[proto] = port === range.last ? range.first : port + 1;
      try {
        return { port, opened: await this.openHeld(proto, port, open) };
      } catch (err) {
        if (!(err instanceof PortInUseError)) throw err;
      }
    }
    throw new ConflictError(`all ports are allocated: no free ${proto} port in ${range.first}-${range.last}`);
  }

  /** Gives a port back; it may be opened again right away. */
  release(proto: Proto, port: number): void {
    const holders = this.held[proto].get(port) ?? 0;
    if (holders <= 1) this.held[proto].delete(port);
    else this.held[proto].set(port, holders - 1);
  }

  /** Holds the port while it is being opened too, so a pick running meanwhile skips it. */
  private async openHeld<T>(proto: Proto, port: number, open: (port: number) => Promise<T>): Promise<T> {
    this.held[proto].set(port, (this.held[proto].get(port) ?? 0) + 1);
    try {
      return await open(port);
    } catch (err) {
      this.release(proto, port);
      throw err;
    }
  }
}
