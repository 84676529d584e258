/**
 * The TCP half of port publishing: every connection to the host port gets its own
 * connection to the container's port, bytes copied both ways.
 *
 * Built on node:net rather than Bun.listen/Bun.connect. Both moved 300 MB through a loopback
 * proxy at about the same rate in Bun 1.4 (node:net 976-1014 MB/s, Bun sockets with
 * hand-written buffering 883-1066 MB/s), so the simpler one wins: node:net streams give
 * backpressure and half-close through `pipe`, and only node:net listens on `::` IPv6-only,
 * which publishing on 0.0.0.0 and :: side by side needs (Bun.listen on `::` takes IPv4 too).
 * (A Bun socket's end() closes both directions; half-close there takes shutdown().)
 */
import net from "node:net";
import { consola } from "consola";
import { openListeners, type OpenedListener, type PortProxy, type ProxySpec } from "./listeners.ts";

function listen(address: string, port: number, ipv6Only: boolean, onConnection: (client: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    // allowHalfOpen: a client's FIN must not close our side, the container may still answer.
    const server = net.createServer({ allowHalfOpen: true }, onConnection);
    server.once("error", reject);
    server.listen({ host: address, port, ipv6Only }, () => {
      server.off("error", reject);
      // Later errors are failed accepts (out of descriptors): the listener itself lives on.
      server.on("error", (err) => consola.warn(`port proxy on ${address}:${port}: ${err.message}`));
      resolve(server);
    });
  });
}

const close = (server: net.Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

export class TcpProxy implements PortProxy {
  /** Both sockets of every live connection, so stop() can end them. */
  private readonly sockets = new Set<net.Socket>();
  private listeners: OpenedListener<net.Server>[] = [];

  private constructor(private readonly target: { ip: string; port: number }) {}

  /** Listens on `hostIp:hostPort` (IPv4 and IPv6 when hostIp is empty); throws PortInUseError when taken. */
  static async open(spec: ProxySpec): Promise<TcpProxy> {
    const proxy = new TcpProxy({ ip: spec.targetIp, port: spec.targetPort });
    proxy.listeners = await openListeners(
      spec.hostIp,
      spec.hostPort,
      (address, port, ipv6Only) => listen(address, port, ipv6Only, (client) => proxy.forward(client)),
      (server) => (server.address() as net.AddressInfo).port,
      close,
    );
    return proxy;
  }

  get port(): number {
    return (this.listeners[0].listener.address() as net.AddressInfo).port;
  }

  get addresses(): string[] {
    return this.listeners.map((entry) => entry.address);
  }

  /** Closes the listeners and every live connection; resolves once the port is free again. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const listeners = this.listeners;
    this.listeners = [];
    await Promise.all(listeners.map((entry) => close(entry.listener)));
  }

  private forward(client: net.Socket): void {
    const upstream = net.connect({ host: this.target.ip, port: this.target.port, allowHalfOpen: true });
    // Interactive protocols (shells, HTTP) must not wait on Nagle in the middle hop.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    // pipe() pauses the reader while the writer's buffer is full (backpressure) and ends the
    // writer when the reader ends: a FIN from one side becomes a FIN to the other, while the
    // other direction keeps flowing.
    client.pipe(upstream);
    upstream.pipe(client);
    for (const [socket, peer] of [[client, upstream], [upstream, client]] as const) {
      this.sockets.add(socket);
      // A reset, a refused connect or a dead container: close both sides, nothing to salvage.
      socket.on("error", () => peer.destroy());
      // A clean close means both directions ended, so the peer is ending too; end() (not
      // destroy) lets it flush what it still holds for its own side first.
      socket.on("close", () => {
        this.sockets.delete(socket);
        peer.end();
      });
    }
  }
}
