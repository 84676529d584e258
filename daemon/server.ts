/**
 * The HTTP side: node:http (not Bun.serve) because attach must take over the raw socket, and
 * node:http hands it over on `upgrade`. The `/v1.NN` prefix is stripped before routing so
 * every route also answers unversioned paths (docker-py's first request is `GET /version`).
 */
import http from "node:http";
import net from "node:net";
import { chmodSync, existsSync, unlinkSync } from "node:fs";
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

export type Listener = { kind: "unix"; path: string } | { kind: "tcp"; host: string; port: number };

export function parseHost(value: string): Listener {
  if (value.startsWith("unix://")) return { kind: "unix", path: value.slice("unix://".length) };
  const tcp = /^tcp:\/\/([^:/]*):(\d+)$/.exec(value);
  if (tcp) return { kind: "tcp", host: tcp[1] || "127.0.0.1", port: Number(tcp[2]) };
  throw new InvalidArgumentError(`invalid host ${value}: use unix:///path or tcp://host:port`);
}

function stripVersion(req: http.IncomingMessage): void {
  req.url = (req.url ?? "/").replace(VERSION_PREFIX, "");
}

export async function listen(app: Hono<AppEnv>, engine: Engine, where: Listener): Promise<net.Server> {
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
  const listener = net.createServer({ allowHalfOpen: true }, (socket) => server.emit("connection", new ClientConnection(socket)));
  if (where.kind === "unix") {
    if (existsSync(where.path)) unlinkSync(where.path); // the pidfile check already proved no daemon owns it
    await new Promise<void>((resolve, reject) => listener.once("error", reject).listen(where.path, resolve));
    chmodSync(where.path, 0o660);
  } else {
    consola.warn(`listening on tcp://${where.host}:${where.port} WITHOUT TLS OR AUTHENTICATION: anyone who can reach it is root on this host`);
    await new Promise<void>((resolve, reject) => listener.once("error", reject).listen(where.port, where.host, resolve));
  }
  consola.info(`API listening on ${where.kind === "unix" ? `unix://${where.path}` : `tcp://${where.host}:${where.port}`}`);
  return listener;
}
