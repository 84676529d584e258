/**
 * Published ports in Docker's shapes: `-p` specs into `HostConfig.PortBindings`, the API's
 * PortBindings (from any client) into concrete requests the publisher can open, and what
 * was opened back into `NetworkSettings.Ports` (inspect) and the `Ports` list (`ps`).
 * Pure: no sockets here.
 */
import { isIP } from "node:net";
import { InvalidArgumentError } from "../errors.ts";

export type Proto = "tcp" | "udp";

/** One entry of a PortBindings list, as the API carries it. */
export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

/** `{"80/tcp": [{HostIp: "", HostPort: "8080"}]}`: HostConfig.PortBindings and NetworkSettings.Ports (null: exposed, not published). */
export type PortMap = Record<string, PortBinding[] | null>;

export interface PortRange {
  first: number;
  last: number;
}

/** One container port to publish on one host address; `hostPorts` null means any ephemeral port. */
export interface PortRequest {
  proto: Proto;
  containerPort: number;
  hostIp: string;
  hostPorts: PortRange | null;
}

/** A host address and port that forwards to a container port. */
export interface PublishedPort {
  proto: Proto;
  containerPort: number;
  hostIp: string;
  hostPort: number;
}

/** An entry of the `Ports` list of `GET /containers/json`, which clients render as the PORTS column. */
export interface ApiPort {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

const PROTOS: readonly string[] = ["tcp", "udp"];

/** `80`, `8000-8005`: a port or an inclusive range; null when it is neither. */
function parseRange(text: string): PortRange | null {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!match) return null;
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  if (first < 1 || last > 65535 || last < first) return null;
  return { first, last };
}

/** `tcp` or `udp`, in Docker's wording otherwise (sctp has no proxy here). */
function parseProto(text: string): Proto {
  const proto = text.toLowerCase();
  if (!PROTOS.includes(proto)) throw new InvalidArgumentError(`Invalid proto: ${text}`);
  return proto as Proto;
}

/** A host IP as given, unbracketed (`[::1]` → `::1`); empty means every address. */
function parseHostIp(text: string): string {
  const ip = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (ip !== "" && isIP(ip) === 0) throw new InvalidArgumentError(`Invalid ip address: ${text}`);
  return ip;
}

/** The width of a range, to pair host and container ranges port by port. */
const width = (range: PortRange): number => range.last - range.first;

const rangeText = (range: PortRange): string => (range.first === range.last ? `${range.first}` : `${range.first}-${range.last}`);

/**
 * One `-p [HOSTIP:][HOSTPORT:]CONTAINERPORT[/PROTO]` as PortBindings entries. A container
 * range pairs with a host range of the same width port by port; a single container port
 * with a host range takes any free port of that range, as Docker does.
 */
export function parsePortSpec(spec: string): PortMap {
  const slash = spec.lastIndexOf("/");
  const proto = slash === -1 ? "tcp" : parseProto(spec.slice(slash + 1));
  const address = slash === -1 ? spec : spec.slice(0, slash);
  // The container and host ports are the last two fields; whatever precedes is the IP, so an
  // unbracketed IPv6 address (`::1:8080:80`) still reads as Docker reads it.
  const parts = address.split(":");
  const containerText = parts.pop() ?? "";
  const hostPortText = parts.pop() ?? "";
  const hostIp = parseHostIp(parts.join(":"));
  if (containerText === "") throw new InvalidArgumentError(`No port specified: ${spec}<empty>`);
  const container = parseRange(containerText);
  if (!container) throw new InvalidArgumentError(`Invalid containerPort: ${containerText}`);
  // `0` asks for any port, like an empty host port.
  const host = hostPortText === "" || hostPortText === "0" ? null : parseRange(hostPortText);
  if (hostPortText !== "" && hostPortText !== "0" && !host) throw new InvalidArgumentError(`Invalid hostPort: ${hostPortText}`);
  if (host && width(host) !== width(container) && width(container) !== 0) {
    throw new InvalidArgumentError(`Invalid ranges specified for container and host Ports: ${containerText} and ${hostPortText}`);
  }
  const map: PortMap = {};
  for (let port = container.first; port <= container.last; port++) {
    const offset = port - container.first;
    const hostPort = !host ? "" : width(container) === 0 ? rangeText(host) : `${host.first + offset}`;
    map[`${port}/${proto}`] = [{ HostIp: hostIp, HostPort: hostPort }];
  }
  return map;
}

/** Every `-p` of a command line merged: a container port published twice keeps both bindings. */
export function parsePortSpecs(specs: string[]): PortMap {
  const merged: PortMap = {};
  for (const spec of specs) {
    for (const [key, bindings] of Object.entries(parsePortSpec(spec))) merged[key] = [...(merged[key] ?? []), ...(bindings ?? [])];
  }
  return merged;
}

/** A PortBindings key, `80/tcp` or `80` (tcp): the container port and protocol. */
function parsePortKey(key: string): { containerPort: number; proto: Proto } {
  const [portText, protoText = "tcp"] = key.split("/");
  const range = parseRange(portText);
  if (!range || range.first !== range.last) throw new InvalidArgumentError(`Invalid containerPort: ${key}`);
  return { containerPort: range.first, proto: parseProto(protoText) };
}

/**
 * HostConfig.PortBindings as any client sends it, validated and flattened into what to
 * open. An empty list binds on every address to an ephemeral port, as Docker does.
 */
export function portRequests(bindings: PortMap | null | undefined): PortRequest[] {
  const requests: PortRequest[] = [];
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const { containerPort, proto } = parsePortKey(key);
    const entries = list && list.length > 0 ? list : [{ HostIp: "", HostPort: "" }];
    for (const { HostIp = "", HostPort = "" } of entries) {
      const hostPorts = HostPort === "" || HostPort === "0" ? null : parseRange(HostPort);
      if (HostPort !== "" && HostPort !== "0" && !hostPorts) throw new InvalidArgumentError(`Invalid hostPort: ${HostPort}`);
      requests.push({ proto, containerPort, hostIp: parseHostIp(HostIp), hostPorts });
    }
  }
  return requests;
}

/** `-P`: every exposed port not bound already gets an ephemeral host port on every address. */
export function publishAll(exposed: string[], bindings: PortMap): PortMap {
  const all: PortMap = { ...bindings };
  for (const key of exposed) if (!all[key]?.length) all[key] = [{ HostIp: "", HostPort: "" }];
  return all;
}

const portKey = (port: { containerPort: number; proto: Proto }): string => `${port.containerPort}/${port.proto}`;

/** NetworkSettings.Ports: published ports with their bindings, exposed-only ports as null. */
export function inspectPorts(exposed: string[], published: PublishedPort[]): PortMap {
  const map: PortMap = {};
  for (const key of exposed) map[key] = null;
  for (const port of published) {
    const key = portKey(port);
    map[key] = [...(map[key] ?? []), { HostIp: port.hostIp, HostPort: `${port.hostPort}` }];
  }
  return map;
}

/** The `Ports` list of `ps`: one entry per host address, then the exposed ports nobody published. */
export function listPorts(exposed: string[], published: PublishedPort[]): ApiPort[] {
  const list: ApiPort[] = published.map((port) => ({ IP: port.hostIp, PrivatePort: port.containerPort, PublicPort: port.hostPort, Type: port.proto }));
  const publishedKeys = new Set(published.map(portKey));
  for (const key of exposed) {
    if (publishedKeys.has(key)) continue;
    const { containerPort, proto } = parsePortKey(key);
    list.push({ PrivatePort: containerPort, Type: proto });
  }
  return list;
}
