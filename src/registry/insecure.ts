/**
 * Which registries are reached without verified TLS. As Docker: loopback (127.0.0.0/8, ::1)
 * always, and what `--insecure-registry` names, a "host[:port]" or a CIDR. Unlike Docker,
 * host names are not resolved to decide: a DNS answer must not be able to turn TLS off, so
 * only "localhost" and literal addresses count as loopback.
 */
import { BlockList, isIP } from "node:net";

const ALWAYS_INSECURE: Array<[string, number, "ipv4" | "ipv6"]> = [
  ["127.0.0.0", 8, "ipv4"],
  ["::1", 128, "ipv6"],
];

/** The host of "host", "host:port", "[v6]:port". */
export function hostOf(domain: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(domain);
  if (bracketed) return bracketed[1];
  if (isIP(domain) === 6) return domain;
  return domain.replace(/:\d+$/, "");
}

export class InsecureRegistries {
  readonly #networks = new BlockList();
  readonly #names = new Set<string>();

  constructor(entries: string[]) {
    for (const [address, prefix, family] of ALWAYS_INSECURE) this.#networks.addSubnet(address, prefix, family);
    for (const entry of entries) {
      const cidr = /^(.+)\/(\d+)$/.exec(entry);
      const family = cidr ? isIP(cidr[1]) : 0;
      if (cidr && family !== 0) this.#networks.addSubnet(cidr[1], Number(cidr[2]), family === 6 ? "ipv6" : "ipv4");
      else this.#names.add(entry.replace(/^https?:\/\//, "").replace(/\/+$/, ""));
    }
  }

  has(domain: string): boolean {
    if (this.#names.has(domain)) return true;
    const host = hostOf(domain);
    if (this.#names.has(host) || host === "localhost") return true;
    const family = isIP(host);
    return family !== 0 && this.#networks.check(host, family === 6 ? "ipv6" : "ipv4");
  }
}
