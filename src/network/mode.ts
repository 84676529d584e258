/**
 * `HostConfig.NetworkMode` as Docker spells it: "default" and "bridge" (the daemon's bridge,
 * or only `lo` when it runs with `--bridge none`), "none", "host", "container:<name|id>", or
 * the name or ID of a user-defined network.
 */
import { InvalidArgumentError } from "../errors.ts";

export type NetworkMode = { kind: "bridge" } | { kind: "none" } | { kind: "host" } | { kind: "container"; ref: string } | { kind: "network"; name: string };

export function parseNetworkMode(mode: string): NetworkMode {
  if (mode === "" || mode === "default" || mode === "bridge") return { kind: "bridge" };
  if (mode === "none" || mode === "host") return { kind: mode };
  if (mode.startsWith("container:") && mode.length > "container:".length) return { kind: "container", ref: mode.slice("container:".length) };
  if (/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(mode)) return { kind: "network", name: mode };
  throw new InvalidArgumentError(`invalid network mode ${mode}: expected bridge, none, host, container:<name|id> or a network's name`);
}

/** `--add-host host:ip` entries, checked at create so a bad one fails there and not at start. */
export function validExtraHosts(entries: string[] | null | undefined): string[] {
  for (const entry of entries ?? []) {
    const colon = entry.indexOf(":");
    if (colon <= 0 || colon === entry.length - 1) throw new InvalidArgumentError(`invalid extra host ${entry}: expected HOST:IP`);
  }
  return entries ?? [];
}
