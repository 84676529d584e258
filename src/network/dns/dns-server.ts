/**
 * The embedded DNS server of one user-defined network. It listens on the network's gateway,
 * port 53, UDP and TCP, in the daemon's own namespace: every container on the network reaches
 * its gateway already, so no NAT rules inside containers are needed (Docker listens on
 * 127.0.0.11 inside each namespace and NATs to it), and one socket pair serves a whole network.
 * Names of the network's containers are answered here; other names go to the upstream resolvers.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server, type Socket } from "node:net";
import { consola } from "consola";
import { answer, failureFor, parseQuery, RCODE, TYPE_A } from "./dns-message.ts";

/**
 * How names resolve for the client at `client` (an address on the network): addresses, or
 * "unknown" for a name that is the network's to answer but names nothing.
 */
export type Lookup = (name: string, client: string) => string[] | "unknown" | undefined;

const PORT = 53;
const TTL = 600;
const UPSTREAM_TIMEOUT_MS = 3000;
const MAX_TCP_MESSAGE = 65535;

export class DnsServer {
  #udp?: UdpSocket;
  #tcp?: Server;
  readonly #clients = new Set<Socket>();
  /** Set by stop: a bind that completes afterwards is closed at once. */
  #stopped = false;

  constructor(
    readonly address: string,
    private readonly lookup: Lookup,
    /** Where to forward what `lookup` leaves, for the client at that address. */
    private readonly upstreams: (client: string) => string[],
  ) {}

  /** Binds both sockets; a failure (port 53 of that address taken) is returned for `info`, not thrown. */
  async start(): Promise<string | undefined> {
    try {
      this.#udp = await new Promise<UdpSocket>((resolve, reject) => {
        const socket = createSocket({ type: "udp4" });
        socket.once("error", reject);
        socket.bind(PORT, this.address, () => {
          socket.off("error", reject);
          socket.on("error", (err) => consola.debug(`dns ${this.address}: ${err.message}`));
          resolve(socket);
        });
      });
      this.#udp.on("message", (message, remote) => {
        void this.#respond(new Uint8Array(message), remote.address).then((reply) => reply && this.#udp?.send(reply, remote.port, remote.address));
      });
      this.#tcp = await new Promise<Server>((resolve, reject) => {
        const server = createServer((socket) => this.#serveTcp(socket));
        server.once("error", reject);
        server.listen(PORT, this.address, () => {
          server.off("error", reject);
          resolve(server);
        });
      });
      if (this.#stopped) this.stop();
      return undefined;
    } catch (err) {
      this.stop();
      return `WARNING: no DNS server for the network on ${this.address}: ${(err as Error).message}`;
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#udp?.close();
    this.#udp = undefined;
    this.#tcp?.close();
    this.#tcp = undefined;
    for (const client of this.#clients) client.destroy();
  }

  /** TCP: each message behind a two-byte length (RFC 1035 4.2.2), answered in order. */
  #serveTcp(socket: Socket): void {
    this.#clients.add(socket);
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.#clients.delete(socket));
    let pending = Buffer.alloc(0);
    let chain = Promise.resolve();
    socket.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (pending.length > MAX_TCP_MESSAGE + 2) return socket.destroy();
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const message = new Uint8Array(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + message.length);
        chain = chain.then(async () => {
          const reply = await this.#respond(message, socket.remoteAddress ?? "");
          if (!reply || socket.destroyed) return;
          const length = Buffer.alloc(2);
          length.writeUInt16BE(reply.length);
          socket.write(Buffer.concat([length, reply]));
        });
      }
    });
  }

  /** `from`: the client's address as the socket gives it (IPv4-mapped on a dual-stack TCP socket). */
  async #respond(message: Uint8Array, from: string): Promise<Uint8Array | undefined> {
    const question = parseQuery(message);
    if (!question) return failureFor(message);
    const client = from.replace(/^::ffff:/, "");
    const known = this.lookup(question.name, client);
    if (known === "unknown") return answer(question, RCODE.nameError);
    // A container's name has only an IPv4 address: AAAA and the rest get an empty answer, so
    // resolvers do not go on to ask the world about it.
    if (known) return answer(question, RCODE.noError, question.type === TYPE_A ? known : [], TTL);
    return (await this.#forward(message, client)) ?? answer(question, RCODE.serverFailure);
  }

  /** Asks each upstream in turn over UDP from a fresh port; the first answer with the query's ID wins. */
  async #forward(message: Uint8Array, client: string): Promise<Uint8Array | undefined> {
    for (const upstream of this.upstreams(client)) {
      const reply = await askUpstream(upstream, message);
      if (reply) return reply;
    }
    return undefined;
  }
}

function askUpstream(upstream: string, message: Uint8Array): Promise<Uint8Array | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket({ type: "udp4" });
    const done = (reply?: Uint8Array) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => done(), UPSTREAM_TIMEOUT_MS);
    socket.on("error", () => done());
    socket.on("message", (reply) => {
      if (reply.length >= 2 && reply[0] === message[0] && reply[1] === message[1]) done(new Uint8Array(reply));
    });
    socket.send(message, PORT, upstream);
  });
}

