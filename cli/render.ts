/** Pure text rendering shared by the listing commands, matching the docker CLI's output byte for byte. */
import { humanDuration } from "../src/util/human.ts";

/** Display width as Go's tabwriter counts it: one per code point. */
function width(text: string): number {
  return [...text].length;
}

/**
 * Go's tabwriter with ' ' padding: each column but the last is as wide as its widest cell
 * plus `padding`, and at least `minWidth`. Docker lays out its tables and its `version`
 * block this way.
 */
export function alignColumns(lines: string[][], minWidth: number, padding: number): string {
  const columns = Math.max(0, ...lines.map((line) => line.length));
  const widths = Array.from({ length: columns }, (_, column) =>
    Math.max(minWidth, ...lines.map((line) => (column < line.length - 1 ? width(line[column]) + padding : 0))),
  );
  return lines
    .map((line) => line.map((cell, column) => (column === line.length - 1 ? cell : cell + " ".repeat(widths[column] - width(cell)))).join(""))
    .join("\n");
}

/** A listing (ps, images) as docker prints it: minimum column width 10, 3 spaces of padding. */
export function renderTable(header: string[], rows: string[][]): string {
  return alignColumns([header, ...rows], 10, 3);
}

/** docker's Ellipsis: at most `max` characters, the last one `…` when something was cut. */
export function ellipsis(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return chars.slice(0, max - 1).join("") + "…";
}

/** Go's strconv.Quote, which `docker ps` applies to COMMAND. */
export function goQuote(text: string): string {
  const named: Record<string, string> = { "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v", '"': '\\"', "\\": "\\\\" };
  let quoted = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (named[char]) quoted += named[char];
    else if (code < 0x20 || code === 0x7f) quoted += `\\x${code.toString(16).padStart(2, "0")}`;
    else quoted += char;
  }
  return `${quoted}"`;
}

/** The COMMAND column of `docker ps`: truncated to 20 characters unless --no-trunc, then quoted. */
export function psCommand(command: string, truncate: boolean): string {
  return goQuote(truncate ? ellipsis(command, 20) : command);
}

export interface PortBinding {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

/** The PORTS column: `0.0.0.0:8080->80/tcp, [::]:8080->80/tcp`, or `53/udp` when unpublished. */
export function formatPorts(ports: PortBinding[] | null | undefined): string {
  return (ports ?? [])
    .map((port) => {
      const target = `${port.PrivatePort}/${port.Type}`;
      if (!port.PublicPort) return target;
      const ip = port.IP?.includes(":") ? `[${port.IP}]` : (port.IP ?? "");
      return `${ip}:${port.PublicPort}->${target}`;
    })
    .join(", ");
}

/** The NAMES column: the API's names carry a leading `/`. */
export function formatNames(names: string[] | null | undefined): string {
  return (names ?? []).map((name) => name.replace(/^\//, "")).join(",");
}

/** Go's time.Time String() of unix seconds, as docker's {{.CreatedAt}} prints it (in UTC): `2024-01-02 15:04:05 +0000 UTC`. */
export function goTime(unixSeconds: number): string {
  return `${new Date(unixSeconds * 1000).toISOString().slice(0, 19).replace("T", " ")} +0000 UTC`;
}

/** The CREATED column from unix seconds: `3 minutes ago`. */
export function createdAgo(unixSeconds: number, now = Date.now()): string {
  return `${humanDuration(now - unixSeconds * 1000)} ago`;
}

/** Splits `repo:tag` at the tag's colon, not a registry port's (`localhost:5000/a` has no tag). */
export function splitRepoTag(reference: string): { repo: string; tag: string | undefined } {
  const colon = reference.lastIndexOf(":");
  if (colon === -1 || reference.indexOf("/", colon) !== -1) return { repo: reference, tag: undefined };
  return { repo: reference.slice(0, colon), tag: reference.slice(colon + 1) };
}
