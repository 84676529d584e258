/**
 * Requests that take over their connection (`Upgrade: tcp`): attach (./attach.ts) and exec
 * start (./exec-upgrade.ts). Bytes that came with the request's head are put back on the
 * socket first: an exec start's JSON body, or input a client sent right behind its headers.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Engine } from "../src/engine.ts";
import { writeErrorToSocket } from "./errors.ts";
import { serveAttach } from "./attach.ts";
import { serveExecStart } from "./exec-upgrade.ts";

const ATTACH_PATH = /^\/containers\/([^/]+)\/attach$/;
const EXEC_START_PATH = /^\/exec\/([^/]+)\/start$/;

export async function handleUpgrade(engine: Engine, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  if (head.length > 0) socket.unshift(head);
  const url = new URL(req.url ?? "/", "http://bunker");
  const attach = ATTACH_PATH.exec(url.pathname);
  const exec = EXEC_START_PATH.exec(url.pathname);
  if (req.method === "POST" && attach) return serveAttach(engine, url, decodeURIComponent(attach[1]), socket);
  if (req.method === "POST" && exec) return serveExecStart(engine, req, decodeURIComponent(exec[1]), socket);
  return writeErrorToSocket(socket, 404, `page not found: ${req.method} ${url.pathname}`);
}
