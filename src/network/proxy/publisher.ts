/**
 * One container's published ports: the proxies that carry them and the host ports they
 * hold. Publishing is all or nothing, and release() closes everything, as often as called.
 */
import { portRequests, type PortMap, type PortRequest, type PublishedPort } from "../port-spec.ts";
import type { PortProxy } from "./listeners.ts";
import type { PortAllocator } from "./port-allocator.ts";
import { TcpProxy } from "./tcp-proxy.ts";
import { UdpProxy, type UdpProxyOptions } from "./udp-proxy.ts";

interface Held {
  request: PortRequest;
  port: number;
  proxy: PortProxy;
}

export class PortPublisher {
  private held: Held[] = [];
  /** The publish in progress, so a release() meanwhile waits for it instead of missing its proxies. */
  private publishing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly allocator: PortAllocator,
    private readonly udpOptions: UdpProxyOptions = {},
  ) {}

  /**
   * Opens a proxy for every binding of HostConfig.PortBindings, forwarding to `targetIp`.
   * Returns what inspect and ps show: one entry per host address really listened on. On any
   * failure everything this container holds is closed again and the error is thrown.
   */
  async publish(bindings: PortMap | null | undefined, targetIp: string): Promise<PublishedPort[]> {
    const requests = portRequests(bindings);
    const done = this.openAll(requests, targetIp).catch(async (err) => {
      await this.closeAll();
      throw err;
    });
    this.publishing = done.catch(() => undefined);
    return done;
  }

  /** Closes every proxy and gives its port back; a second call finds nothing to do. */
  async release(): Promise<void> {
    await this.publishing;
    await this.closeAll();
  }

  private async openAll(requests: PortRequest[], targetIp: string): Promise<PublishedPort[]> {
    const published: PublishedPort[] = [];
    for (const request of requests) {
      const { port, opened: proxy } = await this.allocator.acquire(request.proto, request.hostPorts, (hostPort): Promise<PortProxy> => {
        const spec = { hostIp: request.hostIp, hostPort, targetIp, targetPort: request.containerPort };
        return request.proto === "tcp" ? TcpProxy.open(spec) : UdpProxy.open(spec, this.udpOptions);
      });
      this.held.push({ request, port, proxy });
      for (const hostIp of proxy.addresses) published.push({ proto: request.proto, containerPort: request.containerPort, hostIp, hostPort: port });
    }
    return published;
  }

  private async closeAll(): Promise<void> {
    const held = this.held;
    this.held = [];
    await Promise.all(
      held.map(async ({ request, port, proxy }) => {
        await proxy.stop();
        this.allocator.release(request.proto, port);
      }),
    );
  }
}
