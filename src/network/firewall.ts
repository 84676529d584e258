/**
 * The daemon's firewall: one nftables table of its own (`ip bunker`, or `ip bunker-<bridge>`
 * for a daemon on another bridge), written over nfnetlink and replaced whole in one batch at
 * every change, so the kernel never holds half a ruleset. Other tables (the host's firewall,
 * Docker's chains) are never touched. Per network:
 *   - masquerading of its subnet towards everything but its own bridge (not for `--internal`);
 *   - forwarding between its own containers, out to the world, and back for replies;
 *   - no forwarding to any other of the daemon's networks (isolation);
 *   - for `--internal`: nothing in or out, and of the host only the gateway (the DNS server).
 * Published ports get kernel DNAT for connections to a host address from outside the daemon's
 * bridges; loopback and the containers themselves keep the in-process proxy (as Docker's
 * userland proxy does), since locally made packets and hairpins never pass prerouting as DNAT needs.
 * Without nf_tables the daemon falls back to the iptables or nft binaries (./outbound.ts). At
 * daemon exit the table stays: containers that outlive the daemon keep their way out.
 */
import { createHash } from "node:crypto";
import { consola } from "consola";
import { act, match, PRIORITY, replaceTable, type Chain, type Expression } from "../../ffi/nftables.ts";
import { SyscallError } from "../../ffi/sys.ts";
import type { PublishedPort } from "./port-spec.ts";
import { enableForwarding, setupOutbound } from "./outbound.ts";
import { formatSubnet } from "./ipv4.ts";
import type { Bridge } from "./bridge.ts";

export interface FirewalledNetwork {
  bridge: Bridge;
  internal: boolean;
}

interface Published {
  containerIp: string;
  ports: PublishedPort[];
}

/** errno values that mean this kernel has no nf_tables: fall back to the tools. */
const NO_NFTABLES = new Set([93 /* EPROTONOSUPPORT */, 95 /* EOPNOTSUPP */, 2 /* ENOENT */]);

export class Firewall {
  #networks: FirewalledNetwork[] = [];
  readonly #published = new Map<string, Published>();
  #nftables = true;
  /** A kernel without nf_tables, what the fallback could not do, forwarding that is off. */
  readonly #lasting: string[] = [];
  /** The last ruleset the kernel refused, until one is accepted. */
  #refused?: string;

  /** `backends`: the nfnetlink writer and the tools' fallback, replaced by fakes in unit tests. */
  constructor(
    readonly table: string,
    private readonly backends: { write: typeof replaceTable; fallback: typeof setupOutbound; forwarding: typeof enableForwarding } = { write: replaceTable, fallback: setupOutbound, forwarding: enableForwarding },
  ) {
    if (!backends.forwarding()) this.#lasting.push("WARNING: IPv4 forwarding is disabled");
  }

  /** What `info` warns of. */
  get warnings(): string[] {
    return this.#refused ? [...this.#lasting, this.#refused] : [...this.#lasting];
  }

  /** The daemon's bridge networks, all of them: the table is written again for them. */
  setNetworks(networks: FirewalledNetwork[]): void {
    const known = new Set(this.#networks.map((network) => network.bridge.name));
    this.#networks = networks;
    if (this.#nftables) this.apply();
    else for (const network of networks) if (!known.has(network.bridge.name)) this.#fallback(network);
  }

  /** DNAT for a container's published ports (replacing what it had). */
  publish(containerId: string, containerIp: string, ports: PublishedPort[]): void {
    const ipv4 = ports.filter((port) => !port.hostIp.includes(":") && (port.proto === "tcp" || port.proto === "udp"));
    if (ipv4.length === 0 && !this.#published.has(containerId)) return;
    this.#published.set(containerId, { containerIp, ports: ipv4 });
    this.apply();
  }

  unpublish(containerId: string): void {
    if (this.#published.delete(containerId)) this.apply();
  }

  /** Writes the whole table again. A failure is logged and kept for `info`; the daemon goes on. */
  apply(): void {
    if (!this.#nftables) return;
    try {
      // With no bridge network there is nothing to filter: the table goes rather than stay empty.
      this.backends.write(this.table, this.#networks.length > 0 ? this.#chains() : undefined);
      this.#refused = undefined;
    } catch (err) {
      if (err instanceof SyscallError && NO_NFTABLES.has(err.errno)) {
        this.#nftables = false;
        this.#lasting.push(`WARNING: the kernel has no nf_tables (${err.message}): falling back to the iptables or nft binaries, without network isolation or kernel DNAT`);
        consola.warn(this.#lasting.at(-1));
        for (const network of this.#networks) this.#fallback(network);
        return;
      }
      this.#refused = `WARNING: nftables table ${this.table}: ${(err as Error).message}`;
      consola.warn(this.#refused);
    }
  }

  #fallback(network: FirewalledNetwork): void {
    if (network.internal) return;
    for (const warning of this.backends.fallback(network.bridge)) if (!this.#lasting.includes(warning)) this.#lasting.push(warning);
  }

  #chains(): Chain[] {
    const rule = (...parts: Expression[][]) => parts.flat();
    const postrouting: Expression[][] = [];
    const prerouting: Expression[][] = [];
    const forward: Expression[][] = [];
    const input: Expression[][] = [];
    const isolation: Expression[][] = [];
    for (const { bridge, internal } of this.#networks) {
      const name = bridge.name;
      isolation.push(rule(match.oifname(name), act.drop()));
      prerouting.push(rule(match.iifname(name), act.return()));
      forward.push(rule(match.iifname(name), match.oifname(name), act.accept()));
      if (internal) {
        forward.push(rule(match.iifname(name), act.drop()), rule(match.oifname(name), act.drop()));
        input.push(rule(match.iifname(name), match.address("daddr", bridge.gateway, "neq"), act.drop()));
        continue;
      }
      postrouting.push(rule(match.address("saddr", formatSubnet(bridge.subnet)), match.oifname(name, "neq"), act.masquerade()));
      forward.push(
        rule(match.iifname(name), act.jump("isolation")),
        rule(match.iifname(name), act.accept()),
        rule(match.oifname(name), match.establishedOrRelated(), act.accept()),
        rule(match.oifname(name), match.destinationNatted(), act.accept()),
        rule(match.oifname(name), act.drop()),
      );
    }
    prerouting.push(rule(match.toLocalAddress(), act.jump("published")));
    const published: Expression[][] = [];
    for (const { containerIp, ports } of this.#published.values()) {
      for (const port of ports) {
        const toHost = port.hostIp && port.hostIp !== "0.0.0.0" ? [match.address("daddr", port.hostIp)] : [];
        published.push(rule(...toHost, match.destinationPort(port.proto as "tcp" | "udp", port.hostPort), act.dnat(containerIp, port.containerPort)));
      }
    }
    return [
      { name: "isolation", rules: isolation },
      { name: "published", rules: published },
      { name: "postrouting", base: { type: "nat", hook: "postrouting", priority: PRIORITY.srcnat }, rules: postrouting },
      { name: "prerouting", base: { type: "nat", hook: "prerouting", priority: PRIORITY.dstnat }, rules: prerouting },
      { name: "forward", base: { type: "filter", hook: "forward", priority: PRIORITY.filter }, rules: forward },
      { name: "input", base: { type: "filter", hook: "input", priority: PRIORITY.filter }, rules: input },
    ];
  }
}

/**
 * The daemon's table: `bunker` on the default bridge, `bunker-<bridge>` for a daemon on
 * another, and for one without a bridge a name from its root, so two daemons never share one.
 */
export function firewallTable(defaultBridge: string, root: string): string {
  if (defaultBridge === "bunker0") return "bunker";
  if (defaultBridge !== "none") return `bunker-${defaultBridge}`;
  return `bunker-${createHash("sha256").update(root).digest("hex").slice(0, 8)}`;
}
