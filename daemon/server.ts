/**
 * The HTTP side: node:http (not Bun.serve) because attach must take over the raw socket, and
 * node:http hands it over on `upgrade`. The `/v1.NN` prefix is stripped before routing so
 * every route also answers unversioned paths (docker-py's first request is `GET /version`).
 */
import http from "node:http";
import net from "node:net";
import tls from "node:tls";
import { chmodSync, chownSync, existsSync, readFileSync, unlinkSync } from "node:fs";
import { getRequestListener } from "@hono/node-server";
import { consola } from "consola";
import type { Hono } from "hono";
import type { Duplex } from "node:stream";
import type { Engine } from "../src/engine.ts";
import { InvalidArgumentError } from "../src/errors.ts";
import { handleUpgrade } from "./upgrade.ts";
import { ClientConnection } from "./client-connection.ts";
import { writeErrorToSocket } from "./errors.ts";
import type { AppEnv } from "./app.ts";

const VERSION_PREFIX = /^\/v\d+(\.\d+)?(?=\/)/;

export type Listener = { kind: "unix"; path: string } | { kind: "tcp"; host: string; port: number } | { kind: "fd"; fd: number };

/** `--tls`/`--tlsverify` and their files: TCP listeners speak TLS, and with `verify` only to clients whose certificate the CA signed. */
export interface TlsSettings {
  verify: boolean;
  ca?: string;
  cert: string;
  key: string;
}

/** The first descriptor systemd passes (SD_LISTEN_FDS_START). */
const LISTEN_FDS_START = 3;

/**
 * `-H` values: `unix:///path`, `tcp://host:port`, and `fd://` (every socket systemd's socket
 * activation passed, LISTEN_FDS of them from fd 3, when LISTEN_PID is this process) or `fd://N`.
 */
export function parseHost(value: string, env: Record<string, string | undefined> = process.env): Listener[] {
  if (value.startsWith("unix://")) return [{ kind: "unix", path: value.slice("unix://".length) }];
  const tcp = /^tcp:\/\/([^:/]*):(\d+)$/.exec(value);
  if (tcp) return [{ kind: "tcp", host: tcp[1] || "127.0.0.1", port: Number(tcp[2]) }];
  const fd = /^fd:\/\/(\d*)$/.exec(value);
  if (fd) {
    if (fd[1]) return [{ kind: "fd", fd: Number(fd[1]) }];
    const count = Number(env.LISTEN_FDS ?? 0);
    if (Number(env.LISTEN_PID) !== process.pid || !Number.isInteger(count) || count < 1) {
      throw new InvalidArgumentError("no sockets found via socket activation: make sure the service was started by systemd");
    }
    return Array.from({ length: count }, (_, i) => ({ kind: "fd" as const, fd: LISTEN_FDS_START + i }));
  }
  throw new InvalidArgumentError(`invalid host ${value}: use unix:///path, tcp://host:port or fd://`);
}

function describe(where: Listener, tls: boolean): string {
  if (where.kind === "unix") return `unix://${where.path}`;
  if (where.kind === "fd") return `fd://${where.fd}`;
  return `tcp://${where.host}:${where.port}${tls ? " (TLS)" : ""}`;
}

function stripVersion(req: http.IncomingMessage): void {
  req.url = (req.url ?? "/").replace(VERSION_PREFIX, "");
}

export async function listen(app: Hono<AppEnv>, engine: Engine, where: Listener, tlsSettings?: TlsSettings, socketGroup?: number): Promise<net.Server> {
  const requestListener = getRequestListener(app.fetch);
  const server = http.createServer((req, res) => {
    if (req.socket instanceof ClientConnection) req.socket.answering(res);
    stripVersion(req);
    requestListener(req, res);
  });
  server.on("upgrade", (req, socket, head: Buffer) => {
    if (socket instanceof ClientConnection) socket.markUpgraded();
    stripVersion(req);
    handleUpgrade(engine, req, socket, head).catch((err) => {
      consola.error(err);
      socket.destroy();
    });
  });
  // A request the parser could not read (bad chunking, oversized headers): a JSON 400, then close.
  server.on("clientError", (err: Error, socket: Duplex) => {
    if (socket.writable) void writeErrorToSocket(socket, 400, `bad request: ${err.message}`);
    else socket.destroy();
  });
  // Each connection goes through a ClientConnection, which answers clients that half-close.
  const onConnection = (socket: net.Socket) => server.emit("connection", new ClientConnection(socket));
  const tlsOn = where.kind === "tcp" && tlsSettings !== undefined;
  const listener = tlsOn ? tlsServer(tlsSettings!, onConnection) : net.createServer({ allowHalfOpen: true }, onConnection);
  const listening = (...args: unknown[]) => new Promise<void>((resolve, reject) => (listener.once("error", reject).listen as (...a: unknown[]) => void)(...args, resolve));
  if (where.kind === "unix") {
    if (existsSync(where.path)) unlinkSync(where.path); // the pidfile check already proved no daemon owns it
    await listening(where.path);
    chmodSync(where.path, 0o660);
    if (socketGroup !== undefined) chownSync(where.path, 0, socketGroup);
  } else if (where.kind === "fd") {
    await listening({ fd: where.fd });
  } else {
    if (!tlsOn) {
      consola.warn(`listening on tcp://${where.host}:${where.port} WITHOUT TLS OR AUTHENTICATION: anyone who can reach it is root on this host`);
      if (!/^(127\.|localhost$|::1$)/.test(where.host)) {
        engine.warn(`WARNING: API is accessible on http://${where.host}:${where.port} without encryption. Access to the remote API is equivalent to root access on the host.`);
      }
    }
    await listening(where.port, where.host);
  }
  consola.info(`API listening on ${describe(where, tlsOn)}`);
  return listener;
}

/**
 * TLS on a TCP listener. With `verify` (Docker's --tlsverify) a client must present a
 * certificate the CA signed, or the handshake fails; a client speaking plain HTTP fails it too.
 */
function tlsServer(settings: TlsSettings, onConnection: (socket: net.Socket) => void): net.Server {
  return tls.createServer(
    {
      key: readFileSync(settings.key),
      cert: readFileSync(settings.cert),
      ...(settings.ca ? { ca: readFileSync(settings.ca) } : {}),
      requestCert: settings.verify,
      rejectUnauthorized: settings.verify,
      allowHalfOpen: true,
    },
    (socket) => onConnection(socket),
  );
}
