/**
 * What the TCP and UDP proxies share: the addresses one published port listens on, opening
 * them together on one port number, and turning bind failures into the engine's errors.
 */
import { isIPv6 } from "node:net";
import { ConflictError, InvalidArgumentError } from "../../errors.ts";

/** Where a published port forwards to, and where it listens (`hostIp` empty: every address). */
export interface ProxySpec {
  hostIp: string;
  /** 0 lets the kernel pick (for tests); the publisher always names the port. */
  hostPort: number;
  targetIp: string;
  targetPort: number;
}

/** A running proxy: the addresses it really listens on (what inspect reports) and its port. */
export interface PortProxy {
  readonly port: number;
  readonly addresses: string[];
  stop(): Promise<void>;
}

/** The host port is taken by someone else. The allocator tries another; a named port fails. */
export class PortInUseError extends ConflictError {
  override name = "PortInUseError";
}

interface ListenAddress {
  address: string;
  /** An IPv6 listener must leave IPv4 to the 0.0.0.0 one, or the two would collide on the port. */
  ipv6Only: boolean;
  /** A host without IPv6 still publishes on IPv4, as Docker does. */
  optional: boolean;
}

/** An empty host IP means IPv4 and IPv6 each on their own listener, like Docker's 0.0.0.0 and ::. */
function listenAddresses(hostIp: string): ListenAddress[] {
  if (hostIp === "") {
    return [
      { address: "0.0.0.0", ipv6Only: false, optional: false },
      { address: "::", ipv6Only: true, optional: true },
    ];
  }
  return [{ address: hostIp, ipv6Only: isIPv6(hostIp), optional: false }];
}

/** `0.0.0.0:8080`, `[::]:8080`: how Docker names an address in its bind errors. */
function hostAndPort(address: string, port: number): string {
  return isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The engine's error for a failed bind, in Docker's words where Docker has them. */
function bindError(error: NodeJS.ErrnoException, address: string, port: number): Error {
  const where = hostAndPort(address, port);
  if (error.code === "EADDRINUSE") return new PortInUseError(`Bind for ${where} failed: port is already allocated`);
  if (error.code === "EADDRNOTAVAIL") return new InvalidArgumentError(`Bind for ${where} failed: cannot assign requested address`);
  if (error.code === "EACCES") return new InvalidArgumentError(`Bind for ${where} failed: permission denied`);
  return error;
}

/** Errors that mean "this host has no IPv6", not "the port is busy". */
const NO_IPV6 = new Set(["EAFNOSUPPORT", "EADDRNOTAVAIL", "EPROTONOSUPPORT"]);

export interface OpenedListener<T> {
  address: string;
  listener: T;
}

/**
 * Opens a listener on every address of `hostIp`, all on one port (the first one's, when the
 * port is 0). All or nothing: a failure closes the ones already open and throws the engine's
 * error for it.
 */
export async function openListeners<T>(
  hostIp: string,
  port: number,
  open: (address: string, port: number, ipv6Only: boolean) => Promise<T>,
  portOf: (listener: T) => number,
  close: (listener: T) => Promise<void>,
): Promise<OpenedListener<T>[]> {
  const opened: OpenedListener<T>[] = [];
  let bound = port;
  for (const { address, ipv6Only, optional } of listenAddresses(hostIp)) {
    try {
      const listener = await open(address, bound, ipv6Only);
      bound = portOf(listener);
      opened.push({ address, listener });
    } catch (err) {
      const error = err as NodeJS.ErrnoException;
      if (optional && NO_IPV6.has(error.code ?? "")) continue;
      await Promise.all(opened.map((entry) => close(entry.listener)));
      throw bindError(error, address, bound);
    }
  }
  return opened;
}
