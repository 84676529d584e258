/**
 * The daemon's settings: command-line flags over `daemon.json` (`--config-file`, default
 * /etc/bunker/daemon.json when it exists), in Docker's key names where they mean the same.
 * As Docker does, a key the daemon does not know, or a setting given both in the file and as
 * a flag, stops the start with a clear message instead of being silently ignored or overridden.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";

type Kind = "string" | "list" | "boolean";

interface Setting {
  /** The daemon.json key (Docker's), if the file may set it. */
  key?: string;
  kind: Kind;
  short?: string;
  default?: string | boolean;
}

/** Flags by their long name. */
const SETTINGS = {
  root: { key: "data-root", kind: "string", short: "g", default: "/var/lib/bunker" },
  "data-root": { kind: "string" },
  host: { key: "hosts", kind: "list", short: "H" },
  pidfile: { key: "pidfile", kind: "string", short: "p", default: "/var/run/bunker.pid" },
  bridge: { key: "bridge", kind: "string", short: "b", default: "bunker0" },
  bip: { key: "bip", kind: "string" },
  dns: { key: "dns", kind: "list" },
  "insecure-registry": { key: "insecure-registries", kind: "list" },
  "registry-mirror": { key: "registry-mirrors", kind: "list" },
  "max-concurrent-downloads": { key: "max-concurrent-downloads", kind: "string", default: "3" },
  "max-concurrent-uploads": { key: "max-concurrent-uploads", kind: "string", default: "5" },
  "certs-dir": { key: "certs-dir", kind: "string", default: "/etc/bunker/certs.d" },
  "cgroup-parent": { key: "cgroup-parent", kind: "string", default: "bunker" },
  "exec-opt": { key: "exec-opts", kind: "list" },
  debug: { key: "debug", kind: "boolean", short: "D", default: false },
  "log-level": { key: "log-level", kind: "string", default: "info" },
  tls: { key: "tls", kind: "boolean", default: false },
  tlsverify: { key: "tlsverify", kind: "boolean", default: false },
  tlscacert: { key: "tlscacert", kind: "string" },
  tlscert: { key: "tlscert", kind: "string" },
  tlskey: { key: "tlskey", kind: "string" },
  group: { key: "group", kind: "string", short: "G" },
  "api-cors-header": { key: "api-cors-header", kind: "string" },
  "config-file": { kind: "string" },
  help: { kind: "boolean", short: "h", default: false },
} satisfies Record<string, Setting>;

export type DaemonFlag = keyof typeof SETTINGS;
type Value<S extends Setting> = S["kind"] extends "list" ? string[] : S["kind"] extends "boolean" ? boolean : string | undefined;
export type DaemonSettings = { [K in DaemonFlag]: Value<(typeof SETTINGS)[K]> };

export const DEFAULT_CONFIG_FILE = "/etc/bunker/daemon.json";

/** Docker's words for a bad configuration, so the operator knows it is the file. */
function fileError(path: string, detail: string): Error {
  return new Error(`unable to configure the bunker daemon with file ${path}: ${detail}`);
}

function fromFile(path: string, explicit: boolean): Record<string, unknown> {
  if (!existsSync(path)) {
    if (explicit) throw new Error(`open ${path}: no such file or directory`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw fileError(path, (err as Error).message);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw fileError(path, "the file must hold a JSON object");
  return parsed as Record<string, unknown>;
}

function checkFileValue(path: string, key: string, kind: Kind, value: unknown): string | string[] | boolean {
  const ok = kind === "list" ? Array.isArray(value) && value.every((v) => typeof v === "string") : kind === "boolean" ? typeof value === "boolean" : typeof value === "string" || typeof value === "number";
  if (!ok) throw fileError(path, `${key} must be ${kind === "list" ? "a list of strings" : kind === "boolean" ? "true or false" : "a string"}`);
  return kind === "string" ? String(value) : (value as string[] | boolean);
}

/** The settings from `argv` and the configuration file. */
export function daemonSettings(argv: string[]): DaemonSettings {
  const options = Object.fromEntries(
    Object.entries(SETTINGS).map(([name, s]) => [name, { type: s.kind === "boolean" ? "boolean" : "string", ...(s.kind === "list" ? { multiple: true } : {}), ...("short" in s ? { short: s.short } : {}) }]),
  );
  const { values } = parseArgs({ args: argv, options: options as never, allowPositionals: false, strict: true }) as { values: Record<string, unknown> };
  // --data-root is Docker's name for what bunker first called --root.
  if (values["data-root"] !== undefined) values.root ??= values["data-root"];
  const configPath = (values["config-file"] as string | undefined) ?? DEFAULT_CONFIG_FILE;
  const file = fromFile(configPath, values["config-file"] !== undefined);
  const byKey = new Map(Object.entries(SETTINGS).flatMap(([name, s]) => ("key" in s ? [[s.key, name] as const] : [])));
  const unknown = Object.keys(file).filter((key) => !byKey.has(key));
  if (unknown.length) throw fileError(configPath, `the following directives don't match any configuration option: ${unknown.join(", ")}`);
  const conflicts: string[] = [];
  const settings: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(SETTINGS) as [DaemonFlag, Setting][]) {
    const flag = values[name];
    const fileValue = setting.key !== undefined && setting.key in file ? checkFileValue(configPath, setting.key, setting.kind, file[setting.key]) : undefined;
    if (flag !== undefined && fileValue !== undefined) conflicts.push(`${setting.key}: (from flag: ${JSON.stringify(flag)}, from file: ${JSON.stringify(fileValue)})`);
    settings[name] = flag ?? fileValue ?? setting.default ?? (setting.kind === "list" ? [] : undefined);
  }
  if (conflicts.length) throw fileError(configPath, `the following directives are specified both as a flag and in the configuration file: ${conflicts.join(", ")}`);
  return settings as DaemonSettings;
}
