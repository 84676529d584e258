/**
 * The host's resolv.conf as containers see it: its loopback nameservers dropped, since they
 * mean nothing inside a network namespace (and the embedded DNS server forwards as a container
 * would), and Docker's public fallbacks when none remain.
 */
import { existsSync, readFileSync } from "node:fs";

const FALLBACK = ["8.8.8.8", "8.8.4.4"];
const LOOPBACK = /^\s*nameserver\s+(127\.|::1)/;

export function hostResolvConf(path = "/etc/resolv.conf"): { lines: string[]; nameservers: string[] } {
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  const lines = text.split("\n").filter((line) => !LOOPBACK.test(line));
  const nameservers = lines.flatMap((line) => /^\s*nameserver\s+(\S+)/.exec(line)?.[1] ?? []);
  return { lines, nameservers };
}

/** The IPv4 resolvers the embedded DNS server forwards to: the daemon's `--dns`, or the host's. */
export function upstreamResolvers(daemonDns: string[]): string[] {
  const servers = daemonDns.length > 0 ? daemonDns : hostResolvConf().nameservers;
  const ipv4 = servers.filter((server) => /^\d+\.\d+\.\d+\.\d+$/.test(server));
  return ipv4.length > 0 ? ipv4 : FALLBACK;
}

/** The container's resolv.conf: its own nameservers, or the host's file as above. */
export function containerResolvConf(dns: string[]): string {
  if (dns.length > 0) return dns.map((ip) => `nameserver ${ip}\n`).join("");
  const { lines, nameservers } = hostResolvConf();
  const kept = lines.join("\n").trim();
  return `${kept}${nameservers.length > 0 ? "" : `${kept ? "\n" : ""}${FALLBACK.map((ip) => `nameserver ${ip}`).join("\n")}`}\n`;
}
