/**
 * The UDP half of port publishing. UDP has no connections, so the proxy keeps flows: each
 * client address gets its own socket towards the container, and whatever the container
 * sends back on that socket goes to that client alone. A flow idle for `idleMs` is
 * dropped, and at most `maxFlows` live at once (the longest idle one makes room).
 */
import dgram from "node:dgram";
import { isIPv6 } from "node:net";
import { consola } from "consola";
import { openListeners, type OpenedListener, type PortProxy, type ProxySpec } from "./listeners.ts";

export interface UdpProxyOptions {
  /** Docker's docker-proxy forgets a UDP client after 90 s of silence; so do we by default. */
  idleMs?: number;
  /** Each flow holds a socket (a descriptor), so a flood of client addresses must not grow without end. */
  maxFlows?: number;
}

const DEFAULT_IDLE_MS = 90_000;
const DEFAULT_MAX_FLOWS = 1024;
/** Expiry is checked by a sweep, not a timer per packet; this bounds how late a flow goes. */
const MAX_SWEEP_MS = 10_000;

interface Flow {
  clientAddress: string;
  clientPort: number;
  upstream: dgram.Socket;
  lastSeen: number;
}

function bind(address: string, port: number, ipv6Only: boolean): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: isIPv6(address) ? "udp6" : "udp4", ipv6Only });
    socket.once("error", reject);
    socket.bind({ address, port }, () => {
      socket.off("error", reject);
      resolve(socket);
    });
  });
}

const close = (socket: dgram.Socket): Promise<void> => new Promise((resolve) => socket.close(() => resolve()));

export class UdpProxy implements PortProxy {
  /** By client `address|port`. */
  private readonly flows = new Map<string, Flow>();
  private listeners: OpenedListener<dgram.Socket>[] = [];
  private readonly sweeper: ReturnType<typeof setInterval>;

  private constructor(
    private readonly target: { ip: string; port: number },
    private readonly idleMs: number,
    private readonly maxFlows: number,
  ) {
    this.sweeper = setInterval(() => this.expire(), Math.min(idleMs / 2, MAX_SWEEP_MS));
    // The sweep alone must not keep a daemon (or a test) alive.
    this.sweeper.unref();
  }

  /** Listens on `hostIp:hostPort` (IPv4 and IPv6 when hostIp is empty); throws PortInUseError when taken. */
  static async open(spec: ProxySpec, options: UdpProxyOptions = {}): Promise<UdpProxy> {
    const proxy = new UdpProxy({ ip: spec.targetIp, port: spec.targetPort }, options.idleMs ?? DEFAULT_IDLE_MS, options.maxFlows ?? DEFAULT_MAX_FLOWS);
    try {
      proxy.listeners = await openListeners(spec.hostIp, spec.hostPort, bind, (socket) => socket.address().port, close);
    } catch (err) {
      clearInterval(proxy.sweeper);
      throw err;
    }
    for (const { address, listener } of proxy.listeners) {
      listener.on("message", (message, client) => proxy.fromClient(listener, message, client));
      listener.on("error", (err) => consola.warn(`port proxy on ${address}/udp: ${err.message}`));
    }
    return proxy;
  }

  get port(): number {
    return this.listeners[0].listener.address().port;
  }

  get addresses(): string[] {
    return this.listeners.map((entry) => entry.address);
  }

  /** Closes the listeners and every flow's socket. */
  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    const sockets = [...this.listeners.map((entry) => entry.listener), ...[...this.flows.values()].map((flow) => flow.upstream)];
    this.listeners = [];
    this.flows.clear();
    await Promise.all(sockets.map(close));
  }

  private fromClient(listener: dgram.Socket, message: Buffer, client: dgram.RemoteInfo): void {
    const key = `${client.address}|${client.port}`;
    const flow = this.flows.get(key) ?? this.newFlow(key, listener, client);
    flow.lastSeen = Date.now();
    flow.upstream.send(message, this.target.port, this.target.ip);
  }

  private newFlow(key: string, listener: dgram.Socket, client: dgram.RemoteInfo): Flow {
    if (this.flows.size >= this.maxFlows) this.dropIdlest();
    const upstream = dgram.createSocket(isIPv6(this.target.ip) ? "udp6" : "udp4");
    const flow: Flow = { clientAddress: client.address, clientPort: client.port, upstream, lastSeen: Date.now() };
    upstream.on("message", (message, from) => {
      // The socket's port is open to anyone who guesses it; only the container's answers count.
      if (from.address !== this.target.ip || from.port !== this.target.port) return;
      flow.lastSeen = Date.now();
      listener.send(message, flow.clientPort, flow.clientAddress);
    });
    // An ICMP error or a closed container: the flow ends, the client's next datagram starts another.
    upstream.on("error", () => this.drop(key));
    this.flows.set(key, flow);
    return flow;
  }

  private drop(key: string): void {
    const flow = this.flows.get(key);
    if (!flow) return;
    this.flows.delete(key);
    flow.upstream.close();
  }

  private dropIdlest(): void {
    let idlest: string | undefined;
    let oldest = Infinity;
    for (const [key, flow] of this.flows) {
      if (flow.lastSeen < oldest) {
        oldest = flow.lastSeen;
        idlest = key;
      }
    }
    if (idlest !== undefined) this.drop(idlest);
  }

  private expire(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const [key, flow] of this.flows) if (flow.lastSeen <= cutoff) this.drop(key);
  }
}
