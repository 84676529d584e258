/**
 * An nftables client over nfnetlink: the kernel's firewall programmed the way `nft -f` does it,
 * without the binary. A ruleset is one batch (BATCH_BEGIN, table, chains, rules, BATCH_END)
 * that the kernel applies whole or not at all. Layouts and numbers are those of
 * linux/netfilter/nfnetlink.h and linux/netfilter/nf_tables.h; values inside nftables
 * attributes are big-endian, register contents are bytes as the packet or the kernel has them.
 */
import { closeSync } from "node:fs";
import * as sys from "./sys.ts";
import { align, attr, concat, ipv4Bytes, stringAttr } from "./netlink-attrs.ts";

const NFNL_SUBSYS_NFTABLES = 10;
const NFNL_MSG_BATCH_BEGIN = 0x10;
const NFNL_MSG_BATCH_END = 0x11;
const NFT_MSG_NEWTABLE = 0;
const NFT_MSG_DELTABLE = 2;
const NFT_MSG_NEWCHAIN = 3;
const NFT_MSG_NEWRULE = 6;
const NLMSG_ERROR = 2;

const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_CREATE = 0x400;
const NLM_F_APPEND = 0x800;
const NLA_F_NESTED = 0x8000;

const NFPROTO_IPV4 = 2;
const HEADER = 16;

const NFTA_TABLE_NAME = 1;
const NFTA_CHAIN_TABLE = 1;
const NFTA_CHAIN_NAME = 3;
const NFTA_CHAIN_HOOK = 4;
const NFTA_CHAIN_POLICY = 5;
const NFTA_CHAIN_TYPE = 7;
const NFTA_HOOK_HOOKNUM = 1;
const NFTA_HOOK_PRIORITY = 2;
const NFTA_RULE_TABLE = 1;
const NFTA_RULE_CHAIN = 2;
const NFTA_RULE_EXPRESSIONS = 4;
const NFTA_LIST_ELEM = 1;
const NFTA_EXPR_NAME = 1;
const NFTA_EXPR_DATA = 2;
const NFTA_DATA_VALUE = 1;
const NFTA_DATA_VERDICT = 2;
const NFTA_VERDICT_CODE = 1;
const NFTA_VERDICT_CHAIN = 2;

/** The 16-byte registers; 0 is the verdict register. */
const REG_VERDICT = 0;
const REG_1 = 1;
const REG_2 = 2;

export const HOOK = { prerouting: 0, input: 1, forward: 2, output: 3, postrouting: 4 } as const;
export const PRIORITY = { dstnat: -100, filter: 0, srcnat: 100 } as const;

/** One expression of a rule: its name and already-encoded attributes. */
export interface Expression {
  name: string;
  data: Uint8Array;
}

export interface Chain {
  name: string;
  /** Base chains hook into the stack; a chain without one is only jumped to. */
  base?: { type: "filter" | "nat"; hook: keyof typeof HOOK; priority: number };
  rules: Expression[][];
}

const nested = (type: number, ...parts: Uint8Array[]) => attr(type | NLA_F_NESTED, concat(...parts));
const be32 = (type: number, value: number) => {
  const payload = new Uint8Array(4);
  new DataView(payload.buffer).setInt32(0, value, false);
  return attr(type, payload);
};
const data = (type: number, bytes: Uint8Array) => nested(type, attr(NFTA_DATA_VALUE, bytes));
const hostU32 = (value: number) => {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return bytes;
};
const expression = (name: string, ...attrs: Uint8Array[]): Expression => ({ name, data: concat(...attrs) });

// The expressions bunker's rules are made of, each as `nft --debug=netlink` shows it.
const META_KEY = { l4proto: 16, iifname: 6, oifname: 7 } as const;
const CT_KEY = { state: 0, status: 2 } as const;
const CMP_OP = { eq: 0, neq: 1 } as const;
const NAT_DNAT = 1;
const NFT_FIB_RESULT_ADDRTYPE = 3;
const NFTA_FIB_F_DADDR = 2;
const RTN_LOCAL = 2;
const VERDICT = { drop: 0, accept: 1, jump: -3, return: -5 } as const;

/** An interface name as the kernel keeps it: IFNAMSIZ bytes, zero-padded, so `eq` is exact. */
function ifname(name: string): Uint8Array {
  const bytes = new Uint8Array(16);
  bytes.set(new TextEncoder().encode(name).subarray(0, 15));
  return bytes;
}

const meta = (key: keyof typeof META_KEY) => expression("meta", be32(1 /* DREG */, REG_1), be32(2 /* KEY */, META_KEY[key]));
const cmp = (op: keyof typeof CMP_OP, value: Uint8Array) => expression("cmp", be32(1 /* SREG */, REG_1), be32(2 /* OP */, CMP_OP[op]), data(3 /* DATA */, value));
/** Loads `length` bytes at `offset` of the network (1) or transport (2) header. */
const payload = (base: 1 | 2, offset: number, length: number) =>
  expression("payload", be32(1 /* DREG */, REG_1), be32(2 /* BASE */, base), be32(3 /* OFFSET */, offset), be32(4 /* LEN */, length));
const bitwiseAnd = (mask: Uint8Array) =>
  expression("bitwise", be32(1 /* SREG */, REG_1), be32(2 /* DREG */, REG_1), be32(3 /* LEN */, mask.length), data(4 /* MASK */, mask), data(5 /* XOR */, new Uint8Array(mask.length)));
const ct = (key: keyof typeof CT_KEY) => expression("ct", be32(1 /* DREG */, REG_1), be32(2 /* KEY */, CT_KEY[key]));

function prefixMask(length: number): Uint8Array {
  const n = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
  return Uint8Array.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
}

/** Matches, each a list of expressions that leave the rule when they do not hold. */
export const match = {
  iifname: (name: string, op: keyof typeof CMP_OP = "eq") => [meta("iifname"), cmp(op, ifname(name))],
  oifname: (name: string, op: keyof typeof CMP_OP = "eq") => [meta("oifname"), cmp(op, ifname(name))],
  /** `ip saddr|daddr ADDRESS/LENGTH` (offset 12 or 16 of the IPv4 header). */
  address: (which: "saddr" | "daddr", subnet: string, op: keyof typeof CMP_OP = "eq") => {
    const [base, length] = subnet.split("/");
    const prefix = length === undefined ? 32 : Number(length);
    const load = payload(1, which === "saddr" ? 12 : 16, 4);
    return prefix === 32 ? [load, cmp(op, ipv4Bytes(base))] : [load, bitwiseAnd(prefixMask(prefix)), cmp(op, ipv4Bytes(base))];
  },
  /** `meta l4proto tcp|udp th dport PORT`. */
  destinationPort: (proto: "tcp" | "udp", port: number) => [
    meta("l4proto"),
    cmp("eq", Uint8Array.of(proto === "tcp" ? 6 : 17)),
    payload(2, 2, 2),
    cmp("eq", Uint8Array.of(port >> 8, port & 255)),
  ],
  /** `fib daddr type local`: addressed to this host, whichever of its addresses. */
  toLocalAddress: () => [
    expression("fib", be32(1 /* DREG */, REG_1), be32(2 /* RESULT */, NFT_FIB_RESULT_ADDRTYPE), be32(3 /* FLAGS */, NFTA_FIB_F_DADDR)),
    cmp("eq", hostU32(RTN_LOCAL)),
  ],
  /** `ct state established,related`. */
  establishedOrRelated: () => [ct("state"), bitwiseAnd(hostU32(0x2 | 0x4)), cmp("neq", hostU32(0))],
  /** `ct status dnat`: a connection this host's DNAT rewrote. */
  destinationNatted: () => [ct("status"), bitwiseAnd(hostU32(0x20)), cmp("neq", hostU32(0))],
};

function verdict(code: number, chain?: string): Expression {
  const body = nested(NFTA_DATA_VERDICT, be32(NFTA_VERDICT_CODE, code), ...(chain ? [stringAttr(NFTA_VERDICT_CHAIN, chain)] : []));
  return expression("immediate", be32(1 /* DREG */, REG_VERDICT), nested(2 /* DATA */, body));
}

function immediate(register: number, value: Uint8Array): Expression {
  return expression("immediate", be32(1 /* DREG */, register), data(2 /* DATA */, value));
}

/** Statements: what a rule does once all its matches hold. */
export const act = {
  accept: () => [verdict(VERDICT.accept)],
  drop: () => [verdict(VERDICT.drop)],
  return: () => [verdict(VERDICT.return)],
  jump: (chain: string) => [verdict(VERDICT.jump, chain)],
  masquerade: () => [expression("masq")],
  /** `dnat to ADDRESS:PORT`. */
  dnat: (address: string, port: number) => [
    immediate(REG_1, ipv4Bytes(address)),
    immediate(REG_2, Uint8Array.of(port >> 8, port & 255)),
    expression("nat", be32(1 /* TYPE */, NAT_DNAT), be32(2 /* FAMILY */, NFPROTO_IPV4), be32(3 /* REG_ADDR_MIN */, REG_1), be32(5 /* REG_PROTO_MIN */, REG_2)),
  ],
};

function message(type: number, flags: number, seq: number, body: Uint8Array, resId = 0): Uint8Array {
  const out = new Uint8Array(HEADER + 4 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, out.length, true);
  view.setUint16(4, type, true);
  view.setUint16(6, NLM_F_REQUEST | flags, true);
  view.setUint32(8, seq, true);
  // struct nfgenmsg: family, version, res_id (big-endian)
  view.setUint8(HEADER, type === NFNL_MSG_BATCH_BEGIN || type === NFNL_MSG_BATCH_END ? 0 : NFPROTO_IPV4);
  view.setUint16(HEADER + 2, resId, false);
  out.set(body, HEADER + 4);
  return out;
}

const nft = (type: number) => (NFNL_SUBSYS_NFTABLES << 8) | type;

function ruleBody(table: string, chain: string, expressions: Expression[]): Uint8Array {
  const list = expressions.map((e) => nested(NFTA_LIST_ELEM, stringAttr(NFTA_EXPR_NAME, e.name), ...(e.data.length ? [nested(NFTA_EXPR_DATA, e.data)] : [])));
  return concat(stringAttr(NFTA_RULE_TABLE, table), stringAttr(NFTA_RULE_CHAIN, chain), nested(NFTA_RULE_EXPRESSIONS, ...list));
}

function chainBody(table: string, chain: Chain): Uint8Array {
  const parts = [stringAttr(NFTA_CHAIN_TABLE, table), stringAttr(NFTA_CHAIN_NAME, chain.name)];
  if (chain.base) {
    parts.push(nested(NFTA_CHAIN_HOOK, be32(NFTA_HOOK_HOOKNUM, HOOK[chain.base.hook]), be32(NFTA_HOOK_PRIORITY, chain.base.priority)));
    parts.push(be32(NFTA_CHAIN_POLICY, VERDICT.accept));
    parts.push(stringAttr(NFTA_CHAIN_TYPE, chain.base.type));
  }
  return concat(...parts);
}

/**
 * Replaces the IPv4 table `table` with `chains` in one transaction: declared (so deleting it
 * cannot fail), deleted, made again. With `chains` undefined the table is only removed.
 * Throws SyscallError with the kernel's errno; EPROTONOSUPPORT or EOPNOTSUPP mean a kernel
 * without nf_tables.
 */
export function replaceTable(table: string, chains: Chain[] | undefined): void {
  const messages: Uint8Array[] = [];
  let seq = 0;
  const add = (type: number, flags: number, body: Uint8Array) => messages.push(message(nft(type), flags | NLM_F_ACK, ++seq, body));
  messages.push(message(NFNL_MSG_BATCH_BEGIN, 0, ++seq, new Uint8Array(), NFNL_SUBSYS_NFTABLES));
  const name = stringAttr(NFTA_TABLE_NAME, table);
  add(NFT_MSG_NEWTABLE, NLM_F_CREATE, name);
  add(NFT_MSG_DELTABLE, 0, name);
  if (chains) {
    add(NFT_MSG_NEWTABLE, NLM_F_CREATE, name);
    for (const chain of chains) add(NFT_MSG_NEWCHAIN, NLM_F_CREATE, chainBody(table, chain));
    for (const chain of chains) for (const rule of chain.rules) add(NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, ruleBody(table, chain.name, rule));
  }
  messages.push(message(NFNL_MSG_BATCH_END, 0, ++seq, new Uint8Array(), NFNL_SUBSYS_NFTABLES));
  commit(concat(...messages));
}

/**
 * Sends the batch and reads the kernel's answers. nfnetlink handles a batch inside sendto, so
 * every ack and error is queued by the time it returns: reading until the queue is empty never
 * waits on the kernel.
 */
function commit(batch: Uint8Array): void {
  const fd = sys.netlinkSocket(sys.NETLINK_NETFILTER);
  try {
    sys.netlinkSend(fd, batch);
    const buffer = new Uint8Array(1 << 16);
    let failure: number | undefined;
    for (let length = sys.netlinkReceiveQueued(fd, buffer); length > 0; length = sys.netlinkReceiveQueued(fd, buffer)) {
      const view = new DataView(buffer.buffer);
      for (let at = 0; at + HEADER <= length; ) {
        const size = view.getUint32(at, true);
        if (size < HEADER) break;
        if (view.getUint16(at + 4, true) === NLMSG_ERROR) {
          const error = -view.getInt32(at + HEADER, true);
          if (error !== 0) failure ??= error;
        }
        at += align(size);
      }
    }
    if (failure !== undefined) throw new sys.SyscallError("nftables", failure);
  } finally {
    closeSync(fd);
  }
}
