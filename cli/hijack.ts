/**
 * `POST /containers/{id}/attach` with `Upgrade: tcp`: after the daemon's `101`, the HTTP
 * connection becomes a raw two-way pipe. fetch() cannot hand us that socket, so the request
 * is written by hand on a plain socket. Half-open sockets are required: without stdin we send
 * FIN right away, and the daemon keeps streaming until the container exits.
 */
import { connect, isIP, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { API_VERSION, ApiClient, ApiError, DaemonUnreachableError, messageFromBody, pathPart, queryString } from "./client.ts";
import { FrameDemuxer, type Output } from "./demux.ts";

export interface AttachOptions {
  stdin: boolean;
  /** Which outputs to ask for; both when not given. */
  outputs?: { stdout: boolean; stderr: boolean };
  /** The daemon ends the attach when it reads these in our input ("ctrl-p,ctrl-q" by default). */
  detachKeys?: string;
  /** A tty container sends raw bytes; otherwise output is multiplexed frames. */
  tty: boolean;
  stdout: Output;
  stderr: Output;
}

export interface AttachSession {
  /** Resolves when the daemon ends the stream, i.e. the container's output is over. */
  finished: Promise<void>;
  write(chunk: Uint8Array): void;
  /** Tells the daemon our input is over; its output keeps coming. */
  closeWrite(): void;
  destroy(): void;
}

/** Resolves once the daemon has answered `101`; any other answer rejects with its ApiError. */
export function openAttach(client: ApiClient, containerId: string, options: AttachOptions): Promise<AttachSession> {
  const outputs = options.outputs ?? { stdout: true, stderr: true };
  const query = queryString({ stream: true, stdin: options.stdin, stdout: outputs.stdout, stderr: outputs.stderr, detachKeys: options.detachKeys });
  return openHijacked(client, `/containers/${pathPart(containerId)}/attach${query}`, "", options);
}

/** `POST /exec/{id}/start` upgraded: the same two-way stream, the exec's start options as its JSON body. */
export function openExecStart(client: ApiClient, execId: string, options: Omit<AttachOptions, "outputs" | "detachKeys">): Promise<AttachSession> {
  return openHijacked(client, `/exec/${pathPart(execId)}/start`, JSON.stringify({ Detach: false, Tty: options.tty }), options);
}

function openHijacked(client: ApiClient, path: string, body: string, options: AttachOptions): Promise<AttachSession> {
  const endpoint = client.endpoint;
  const tlsOptions = client.tlsOptions;
  const socket =
    endpoint.kind === "unix"
      ? connect({ path: endpoint.path, allowHalfOpen: true })
      : tlsOptions
        ? // SNI takes a name only; the certificate of an IP address is checked against its IP SAN.
          (tlsConnect({ host: endpoint.hostname, port: endpoint.port, ...(isIP(endpoint.hostname) ? {} : { servername: endpoint.hostname }), ...tlsOptions }) as unknown as Socket)
        : connect({ host: endpoint.hostname, port: endpoint.port, allowHalfOpen: true });
  const type = body ? "application/json" : "text/plain";
  socket.write(
    `POST /v${API_VERSION}${path} HTTP/1.1\r\n` +
      `Host: localhost\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );

  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const failBeforeUpgrade = () => {
      socket.destroy();
      reject(new DaemonUnreachableError(client.host));
    };
    const readHead = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const headEnd = received.indexOf("\r\n\r\n");
      if (headEnd === -1) return;
      const head = received.toString("latin1", 0, headEnd);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      if (status !== 101) {
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? -1);
        const body = received.subarray(headEnd + 4);
        // Wait for the whole error body unless it is already here (or its size is unknown).
        if (length > body.length) return;
        socket.off("data", readHead);
        socket.off("error", failBeforeUpgrade);
        socket.destroy();
        reject(new ApiError(status, messageFromBody(body.toString()) || `unable to upgrade to tcp, received ${status}`));
        return;
      }
      socket.off("data", readHead);
      socket.off("error", failBeforeUpgrade);
      resolve(upgradedSession(socket, options, received.subarray(headEnd + 4)));
    };
    socket.on("data", readHead);
    socket.on("error", failBeforeUpgrade);
  });
}

function upgradedSession(socket: Socket, options: AttachOptions, alreadyReceived: Uint8Array): AttachSession {
  const demuxer = options.tty ? undefined : new FrameDemuxer<Output>(options.stdout, options.stderr);
  const deliver = (chunk: Uint8Array) => {
    const congested = demuxer ? demuxer.push(chunk) : options.stdout.write(chunk) ? new Set<Output>() : new Set([options.stdout]);
    if (congested.size === 0) return;
    // Slow reader (a pipe to `less`): stop reading the socket until every output drains.
    socket.pause();
    let waiting = congested.size;
    for (const sink of congested) sink.once("drain", () => --waiting === 0 && socket.resume());
  };
  // A reset after the upgrade ends the stream too; the exit code still comes from wait.
  const finished = new Promise<void>((resolve) => {
    socket.on("end", resolve);
    socket.on("close", resolve);
    socket.on("error", resolve);
  });
  if (alreadyReceived.length > 0) deliver(alreadyReceived);
  socket.on("data", deliver);
  return {
    finished,
    write: (chunk) => void socket.write(chunk),
    closeWrite: () => void socket.end(),
    destroy: () => void socket.destroy(),
  };
}
