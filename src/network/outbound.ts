/**
 * The fallback for a kernel without nf_tables (./firewall.ts is the usual way): traffic from a
 * bridge to the world through the iptables or nft binaries, masquerading of the bridge's subnet
 * and acceptance in the FORWARD path (a host running Docker has its policy at DROP). The rules
 * live in a chain (iptables) or table (nft) of their own per bridge, rebuilt at every daemon
 * start, so nothing else's rules are touched. Returns what could not be done, for `info`.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { formatSubnet } from "./ipv4.ts";
import type { Bridge } from "./bridge.ts";

const IP_FORWARD = "/proc/sys/net/ipv4/ip_forward";

export function setupOutbound(bridge: Bridge): string[] {
  const problems: string[] = [];
  const iptables = findTool("iptables");
  const nft = findTool("nft");
  if (iptables) {
    const failed = iptablesRules(iptables, bridge);
    if (failed) problems.push(`WARNING: iptables: ${failed}`);
  } else if (nft) {
    const failed = nftRules(nft, bridge);
    if (failed) problems.push(`WARNING: nft: ${failed}`);
  } else {
    problems.push("WARNING: neither iptables nor nft found: containers reach each other and the host, but not other hosts");
  }
  return problems;
}

/** Chain and table names for this bridge: other daemons on other bridges keep theirs. */
function ruleSetName(bridge: string): string {
  return `BUNKER-${bridge}`;
}

/** Turns IPv4 forwarding on; false if it is off and cannot be turned on. */
export function enableForwarding(): boolean {
  try {
    if (readFileSync(IP_FORWARD, "utf8").trim() !== "1") writeFileSync(IP_FORWARD, "1");
    return true;
  } catch {
    return existsSync(IP_FORWARD) && readFileSync(IP_FORWARD, "utf8").trim() === "1";
  }
}

/** On the PATH, as a user expects of a tool; a daemon run without one on its PATH never spawns it. */
function findTool(name: string): string | undefined {
  return Bun.which(name) ?? undefined;
}

function run(argv: string[], input?: string): { ok: boolean; stderr: string } {
  const result = Bun.spawnSync(argv, { stdin: input === undefined ? "ignore" : Buffer.from(input), stdout: "ignore", stderr: "pipe" });
  return { ok: result.exitCode === 0, stderr: result.stderr.toString().trim() };
}

/** The error of the first command that failed, or undefined. */
function iptablesRules(iptables: string, bridge: Bridge): string | undefined {
  const chain = ruleSetName(bridge.name);
  const subnet = formatSubnet(bridge.subnet);
  const steps: [string, string, string[][]][] = [
    ["nat", "POSTROUTING", [["-A", chain, "-s", subnet, "!", "-o", bridge.name, "-j", "MASQUERADE"]]],
    ["filter", "FORWARD", [["-A", chain, "-i", bridge.name, "-j", "ACCEPT"], ["-A", chain, "-o", bridge.name, "-j", "ACCEPT"]]],
  ];
  for (const [table, hook, rules] of steps) {
    run([iptables, "-w", "-t", table, "-N", chain]); // fails when it exists, which is fine
    const commands = [["-F", chain], ...rules];
    if (!run([iptables, "-w", "-t", table, "-C", hook, "-j", chain]).ok) commands.push(["-I", hook, "-j", chain]);
    for (const command of commands) {
      const result = run([iptables, "-w", "-t", table, ...command]);
      if (!result.ok) return result.stderr;
    }
  }
  return undefined;
}

function nftRules(nft: string, bridge: Bridge): string | undefined {
  const table = ruleSetName(bridge.name).replace(/[^A-Za-z0-9_]/g, "_");
  const name = JSON.stringify(bridge.name);
  // Declaring the table first makes the delete succeed whether or not it existed.
  const script = `table ip ${table}
delete table ip ${table}
table ip ${table} {
  chain postrouting { type nat hook postrouting priority srcnat; ip saddr ${formatSubnet(bridge.subnet)} oifname != ${name} masquerade; }
  chain forward { type filter hook forward priority filter; iifname ${name} accept; oifname ${name} accept; }
}
`;
  const result = run([nft, "-f", "-"], script);
  return result.ok ? undefined : result.stderr;
}
