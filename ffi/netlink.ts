/**
 * A small rtnetlink client: links, IPv4 addresses and routes, made the way `ip` makes them
 * but without needing the binary. Each request asks for an ack, and an NLMSG_ERROR answer
 * becomes a SyscallError carrying the kernel's errno. Layouts are those of linux/netlink.h,
 * linux/rtnetlink.h, linux/if_link.h and linux/veth.h (x86_64, little-endian).
 */
import { closeSync, openSync } from "node:fs";
import { CLONE_NEWNET } from "./constants.ts";
import * as sys from "./sys.ts";
import { align, attr, concat, ipv4Bytes, stringAttr, u32Attr } from "./netlink-attrs.ts";

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const RTM_GETLINK = 18;
const RTM_NEWADDR = 20;
const RTM_GETADDR = 22;
const RTM_NEWROUTE = 24;
const RTM_GETROUTE = 26;

const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
const NLM_F_DUMP = 0x300;

const AF_UNSPEC = 0;
const AF_INET = 2;

const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MASTER = 10;
const IFLA_LINKINFO = 18;
const IFLA_NET_NS_FD = 28;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const VETH_INFO_PEER = 1;
const IFF_UP = 0x1;

const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;

const RTA_DST = 1;
const RTA_GATEWAY = 5;
const RT_TABLE_MAIN = 254;
const RTPROT_BOOT = 3;
const RT_SCOPE_UNIVERSE = 0;
const RTN_UNICAST = 1;

const HEADER = 16; // nlmsghdr
const IFINFOMSG = 16;
const IFADDRMSG = 8;
const RTMSG = 12;

export interface Link {
  index: number;
  name: string;
  /** The bridge this link is enslaved to, 0 for none. */
  master: number;
}

export interface Ipv4Prefix {
  /** Dotted quad. */
  address: string;
  prefixLength: number;
}

function ifinfomsg(index = 0, flags = 0, change = 0): Uint8Array {
  const out = new Uint8Array(IFINFOMSG);
  const view = new DataView(out.buffer);
  view.setUint8(0, AF_UNSPEC);
  view.setInt32(4, index, true);
  view.setUint32(8, flags, true);
  view.setUint32(12, change, true);
  return out;
}


function macBytes(mac: string): Uint8Array {
  return Uint8Array.from(mac.split(":").map((byte) => parseInt(byte, 16)));
}

/** The attributes following a fixed header, by type (the last one of a type wins). */
function parseAttrs(data: Uint8Array, from: number, to: number): Map<number, Uint8Array> {
  const attrs = new Map<number, Uint8Array>();
  const view = new DataView(data.buffer, data.byteOffset);
  for (let at = from; at + 4 <= to; ) {
    const length = view.getUint16(at, true);
    if (length < 4) break;
    attrs.set(view.getUint16(at + 2, true) & 0x3fff, data.subarray(at + 4, at + length));
    at += align(length);
  }
  return attrs;
}

const cString = (bytes: Uint8Array) => new TextDecoder().decode(bytes).replace(/\0.*$/s, "");

export class Netlink {
  #seq = 0;
  readonly #buffer = new Uint8Array(65536);

  private constructor(private readonly fd: number) {}

  static open(): Netlink {
    return new Netlink(sys.netlinkSocket(sys.NETLINK_ROUTE));
  }

  /** Opens a socket for one batch of calls and closes it after. */
  static with<T>(body: (netlink: Netlink) => T): T {
    const netlink = Netlink.open();
    try {
      return body(netlink);
    } finally {
      netlink.close();
    }
  }

  /**
   * A socket in the network namespace `netnsFd` refers to (a running container's), for one
   * batch of calls. A socket stays in the namespace it was made in, so only its creation needs
   * this thread inside; setns(CLONE_NEWNET) is per thread, and the thread goes straight back.
   */
  static inNamespace<T>(netnsFd: number, body: (netlink: Netlink) => T): T {
    const own = openSync("/proc/thread-self/ns/net", "r");
    let fd: number;
    try {
      sys.setns(netnsFd, CLONE_NEWNET);
      try {
        fd = sys.netlinkSocket(sys.NETLINK_ROUTE);
      } finally {
        sys.setns(own, CLONE_NEWNET);
      }
    } finally {
      closeSync(own);
    }
    const netlink = new Netlink(fd);
    try {
      return body(netlink);
    } finally {
      netlink.close();
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  createBridge(name: string): void {
    const linkinfo = attr(IFLA_LINKINFO, stringAttr(IFLA_INFO_KIND, "bridge"));
    this.#request("create bridge", RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, concat(ifinfomsg(), stringAttr(IFLA_IFNAME, name), linkinfo));
  }

  /**
   * A veth pair in one request: `hostName` here, enslaved to `master`; the peer created directly
   * inside the network namespace `peerNetnsFd` refers to, already named and with its MAC.
   */
  createVeth(hostName: string, master: number, peer: { name: string; mac: string; netnsFd: number }): void {
    const peerInfo = concat(ifinfomsg(), stringAttr(IFLA_IFNAME, peer.name), attr(IFLA_ADDRESS, macBytes(peer.mac)), u32Attr(IFLA_NET_NS_FD, peer.netnsFd));
    const linkinfo = attr(IFLA_LINKINFO, concat(stringAttr(IFLA_INFO_KIND, "veth"), attr(IFLA_INFO_DATA, attr(VETH_INFO_PEER, peerInfo))));
    const body = concat(ifinfomsg(), stringAttr(IFLA_IFNAME, hostName), u32Attr(IFLA_MASTER, master), linkinfo);
    this.#request("create veth", RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, body);
  }

  setUp(index: number): void {
    this.#request("set link up", RTM_NEWLINK, 0, ifinfomsg(index, IFF_UP, IFF_UP));
  }

  deleteLink(index: number): void {
    this.#request("delete link", RTM_DELLINK, 0, ifinfomsg(index));
  }

  /** The link's index, or undefined when there is none of that name. */
  linkIndex(name: string): number | undefined {
    return this.listLinks().find((link) => link.name === name)?.index;
  }

  listLinks(): Link[] {
    return this.#dump(RTM_GETLINK, ifinfomsg(), (data, at, end) => {
      const view = new DataView(data.buffer, data.byteOffset);
      const attrs = parseAttrs(data, at + IFINFOMSG, end);
      const master = attrs.get(IFLA_MASTER);
      return {
        index: view.getInt32(at + 4, true),
        name: cString(attrs.get(IFLA_IFNAME) ?? new Uint8Array()),
        master: master ? new DataView(master.buffer, master.byteOffset).getUint32(0, true) : 0,
      };
    });
  }

  addAddress(index: number, address: string, prefixLength: number): void {
    const header = new Uint8Array(IFADDRMSG);
    const view = new DataView(header.buffer);
    view.setUint8(0, AF_INET);
    view.setUint8(1, prefixLength);
    view.setUint32(4, index, true);
    const ip = ipv4Bytes(address);
    this.#request("add address", RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, concat(header, attr(IFA_LOCAL, ip), attr(IFA_ADDRESS, ip)));
  }

  /** The IPv4 addresses of every link, with their prefix lengths. */
  listAddresses(): (Ipv4Prefix & { index: number })[] {
    const header = new Uint8Array(IFADDRMSG);
    header[0] = AF_INET;
    return this.#dump(RTM_GETADDR, header, (data, at, end) => {
      const attrs = parseAttrs(data, at + IFADDRMSG, end);
      const ip = attrs.get(IFA_LOCAL) ?? attrs.get(IFA_ADDRESS) ?? new Uint8Array(4);
      return { address: [...ip].join("."), prefixLength: data[at + 1], index: new DataView(data.buffer, data.byteOffset).getUint32(at + 4, true) };
    });
  }

  /** The destinations of the IPv4 routes of every table (the default route is 0.0.0.0/0). */
  listRoutes(): Ipv4Prefix[] {
    const header = new Uint8Array(RTMSG);
    header[0] = AF_INET;
    return this.#dump(RTM_GETROUTE, header, (data, at, end) => {
      const dst = parseAttrs(data, at + RTMSG, end).get(RTA_DST) ?? new Uint8Array(4);
      return { address: [...dst].join("."), prefixLength: data[at + 1] };
    });
  }

  addDefaultRoute(gateway: string): void {
    const header = new Uint8Array(RTMSG);
    header.set([AF_INET, 0, 0, 0, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST]);
    this.#request("add default route", RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, concat(header, attr(RTA_GATEWAY, ipv4Bytes(gateway))));
  }

  #send(type: number, flags: number, body: Uint8Array): number {
    const seq = ++this.#seq;
    const message = new Uint8Array(HEADER + body.length);
    const view = new DataView(message.buffer);
    view.setUint32(0, message.length, true);
    view.setUint16(4, type, true);
    view.setUint16(6, NLM_F_REQUEST | flags, true);
    view.setUint32(8, seq, true);
    message.set(body, HEADER);
    sys.netlinkSend(this.fd, message);
    return seq;
  }

  /**
   * The kernel's answers to request `seq`, message by message, until its ack or NLMSG_DONE.
   * `onMessage` gets each other message's type and the offsets of its body.
   */
  #receive(what: string, seq: number, onMessage: (type: number, at: number, end: number) => void): void {
    for (;;) {
      const length = sys.netlinkReceive(this.fd, this.#buffer);
      const view = new DataView(this.#buffer.buffer);
      for (let at = 0; at + HEADER <= length; ) {
        const size = view.getUint32(at, true);
        const type = view.getUint16(at + 4, true);
        if (size < HEADER) throw new Error(`netlink ${what}: malformed answer`);
        if (view.getUint32(at + 8, true) === seq) {
          if (type === NLMSG_DONE) return;
          if (type === NLMSG_ERROR) {
            const error = -view.getInt32(at + HEADER, true);
            if (error !== 0) throw new sys.SyscallError(`netlink ${what}`, error);
            return;
          }
          onMessage(type, at + HEADER, at + size);
        }
        at += align(size);
      }
    }
  }

  #request(what: string, type: number, flags: number, body: Uint8Array): void {
    const seq = this.#send(type, flags | NLM_F_ACK, body);
    this.#receive(what, seq, () => {});
  }

  #dump<T>(type: number, body: Uint8Array, parse: (data: Uint8Array, at: number, end: number) => T): T[] {
    const seq = this.#send(type, NLM_F_DUMP, body);
    const items: T[] = [];
    this.#receive("dump", seq, (_type, at, end) => items.push(parse(this.#buffer, at, end)));
    return items;
  }
}
