/**
 * The flags `create` and `run` share, and the `POST /containers/create` body they become,
 * in the shapes the docker CLI sends (Config at the top level, HostConfig nested).
 */
import { parsePortSpecs } from "../src/network/port-spec.ts";
import { labelsOf } from "./labels.ts";
import { UsageError, type FlagDefs, type ParsedFlags } from "./args.ts";
import { parseSize, privilegeFlags, privilegeHostConfig } from "./resource-flags.ts";

export const containerFlags = {
  name: { kind: "string", description: "Assign a name to the container", valueName: "string" },
  env: { kind: "list", short: "e", description: "Set environment variables", valueName: "list" },
  "env-file": { kind: "list", description: "Read in a file of environment variables", valueName: "list" },
  workdir: { kind: "string", short: "w", description: "Working directory inside the container", valueName: "string" },
  entrypoint: { kind: "string", description: "Overwrite the default ENTRYPOINT of the image", valueName: "string" },
  interactive: { kind: "boolean", short: "i", description: "Keep STDIN open even if not attached" },
  attach: { kind: "list", short: "a", description: "Attach to STDIN, STDOUT or STDERR", valueName: "list" },
  "detach-keys": { kind: "string", description: "Override the key sequence for detaching a container", valueName: "string" },
  tty: { kind: "boolean", short: "t", description: "Allocate a pseudo-TTY" },
  rm: { kind: "boolean", description: "Automatically remove the container when it exits" },
  hostname: { kind: "string", short: "h", description: "Container host name", valueName: "string" },
  user: { kind: "string", short: "u", description: "Username or UID (format: <name|uid>[:<group|gid>])", valueName: "string" },
  cidfile: { kind: "string", description: "Write the container ID to the file", valueName: "string" },
  volume: { kind: "list", short: "v", description: "Bind mount a volume", valueName: "list" },
  mount: { kind: "list", description: "Attach a filesystem mount to the container", valueName: "mount" },
  "volumes-from": { kind: "list", description: "Mount volumes from the specified container(s)", valueName: "list" },
  publish: { kind: "list", short: "p", description: "Publish a container's port(s) to the host", valueName: "list" },
  "publish-all": { kind: "boolean", short: "P", description: "Publish all exposed ports to random ports" },
  expose: { kind: "list", description: "Expose a port or a range of ports", valueName: "list" },
  restart: { kind: "string", description: 'Restart policy to apply when a container exits (default "no")', valueName: "string" },
  dns: { kind: "list", description: "Set custom DNS servers", valueName: "list" },
  "log-opt": { kind: "list", description: "Log driver options", valueName: "list" },
  "stop-timeout": { kind: "string", description: "Timeout (in seconds) to stop a container", valueName: "int" },
  network: { kind: "string", aliases: ["net"], description: "Connect a container to a network", valueName: "network" },
  "network-alias": { kind: "list", aliases: ["net-alias"], description: "Add network-scoped alias for the container", valueName: "list" },
  ip: { kind: "string", description: "IPv4 address (e.g., 172.30.100.104)", valueName: "string" },
  networking: { kind: "boolean", short: "n", defaultTrue: true, description: "Enable networking for this container (2013; -n=false is --network none)" },
  "add-host": { kind: "list", description: "Add a custom host-to-IP mapping (host:ip)", valueName: "list" },
  label: { kind: "list", short: "l", description: "Set meta data on a container", valueName: "list" },
  pull: { kind: "string", description: 'Pull image before running ("always", "missing", "never") (default "missing")', valueName: "string" },
  ...privilegeFlags,
} as const satisfies FlagDefs;

export type ContainerFlags = ParsedFlags<typeof containerFlags>;

export interface CreateBodyOptions {
  /** run -d attaches nothing; create and attached run attach stdout/stderr (and stdin with -i). */
  attach: boolean;
  /** [rows, cols] of the local terminal for -t, else [0, 0]. */
  consoleSize: [number, number];
  /** The client's environment, for `-e KEY` without a value. */
  environment: Record<string, string | undefined>;
  /** The entries of the `--env-file`s, read by the caller; `-e` comes after them and wins. */
  envFileEntries: string[];
}

export function createBody(image: string, command: string[], flags: ContainerFlags, options: CreateBodyOptions) {
  const binds = flags.volume.filter((volume) => volume.includes(":"));
  const anonymousVolumes = flags.volume.filter((volume) => !volume.includes(":"));
  const bindings = parsePortSpecs(flags.publish);
  const exposed = [...Object.keys(bindings), ...flags.expose.flatMap(exposedPorts)];
  const streams = attachedStreams(flags.attach, options.attach, flags.interactive);
  return {
    Hostname: flags.hostname ?? "",
    User: flags.user ?? "",
    AttachStdin: streams.stdin,
    AttachStdout: streams.stdout,
    AttachStderr: streams.stderr,
    ...(exposed.length > 0 ? { ExposedPorts: Object.fromEntries(exposed.map((port) => [port, {}])) } : {}),
    Tty: flags.tty,
    OpenStdin: flags.interactive,
    StdinOnce: streams.stdin && flags.interactive,
    Env: [...options.envFileEntries, ...resolveEnv(flags.env, options.environment)],
    Cmd: command.length > 0 ? command : null,
    Image: image,
    Volumes: Object.fromEntries(anonymousVolumes.map((path) => [path, {}])),
    WorkingDir: flags.workdir ?? "",
    // `--label key=value`, or `--label key` for an empty value, as docker reads them.
    Labels: labelsOf(flags.label),
    ...(flags["stop-timeout"] === undefined ? {} : { StopTimeout: parseStopTimeout(flags["stop-timeout"]) }),
    // `--entrypoint ""` is meaningful: it clears the image's entrypoint.
    Entrypoint: flags.entrypoint === undefined ? null : [flags.entrypoint],
    ...networkingConfig(flags),
    HostConfig: {
      ...privilegeHostConfig(flags),
      Binds: binds.length > 0 ? binds : null,
      ...(flags.mount.length > 0 ? { Mounts: flags.mount.map(parseMount) } : {}),
      ContainerIDFile: flags.cidfile ?? "",
      NetworkMode: flags.networking ? (flags.network ?? "default") : "none",
      PortBindings: bindings,
      PublishAllPorts: flags["publish-all"],
      RestartPolicy: parseRestart(flags.restart ?? "no"),
      AutoRemove: flags.rm,
      VolumesFrom: flags["volumes-from"].length > 0 ? flags["volumes-from"] : null,
      ConsoleSize: options.consoleSize,
      Dns: flags.dns,
      ExtraHosts: flags["add-host"].length > 0 ? flags["add-host"] : null,
      LogConfig: { Type: "", Config: parseLogOpts(flags["log-opt"]) },
    },
  };
}

/** On a user-defined network, the endpoint's aliases and address, as the docker CLI sends them. */
function networkingConfig(flags: ContainerFlags) {
  const network = flags.network;
  const predefined = !network || ["default", "bridge", "host", "none"].includes(network) || network.startsWith("container:");
  if (predefined) {
    if (flags["network-alias"].length > 0) throw new UsageError("network-scoped aliases are only supported for user-defined networks");
    if (flags.ip) throw new UsageError("user specified IP address is supported on user defined networks only");
    return {};
  }
  const settings = { ...(flags["network-alias"].length > 0 ? { Aliases: flags["network-alias"] } : {}), ...(flags.ip ? { IPAMConfig: { IPv4Address: flags.ip } } : {}) };
  return { NetworkingConfig: { EndpointsConfig: { [network]: settings } } };
}

export interface AttachedStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

/** `-a` picks the streams; without it an attached run takes stdout and stderr, and stdin with -i. */
export function attachedStreams(selected: string[], attach: boolean, interactive: boolean): AttachedStreams {
  if (!attach) return { stdin: false, stdout: false, stderr: false };
  if (selected.length === 0) return { stdin: interactive, stdout: true, stderr: true };
  const names = selected.map((name) => name.toLowerCase());
  const invalid = names.find((name) => !["stdin", "stdout", "stderr"].includes(name));
  if (invalid !== undefined) throw new UsageError(`invalid argument "${invalid}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
  return { stdin: names.includes("stdin"), stdout: names.includes("stdout"), stderr: names.includes("stderr") };
}

/** `-e KEY=VAL` as is; `-e KEY` takes the client's value and is dropped when the client has none. */
export function resolveEnv(entries: string[], environment: Record<string, string | undefined>): string[] {
  return entries.flatMap((entry) => {
    if (entry.includes("=")) return [entry];
    const value = environment[entry];
    return value === undefined ? [] : [`${entry}=${value}`];
  });
}

/** `--expose 80`, `--expose 53/udp`, `--expose 8000-8002`: ExposedPorts keys. */
function exposedPorts(spec: string): string[] {
  const [ports = "", proto = "tcp"] = spec.split("/");
  const match = /^(\d+)(?:-(\d+))?$/.exec(ports);
  if (!match) throw new UsageError(`invalid range format for --expose: ${spec}`);
  const first = Number(match[1]);
  const last = Number(match[2] ?? match[1]);
  if (last < first) throw new UsageError(`invalid range format for --expose: ${spec}`);
  return Array.from({ length: last - first + 1 }, (_, i) => `${first + i}/${proto}`);
}

/**
 * `--mount type=bind,source=/a,target=/b,readonly`, `type=volume,src=data,dst=/x`,
 * `type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1777`: docker's csv syntax and aliases.
 */
export function parseMount(spec: string) {
  const mount: { Type: string; Source?: string; Target?: string; ReadOnly?: boolean; TmpfsOptions?: { SizeBytes?: number; Mode?: number } } = { Type: "volume" };
  for (const field of spec.split(",")) {
    const eq = field.indexOf("=");
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? undefined : field.slice(eq + 1);
    if (key === "readonly" || key === "ro") {
      if (value !== undefined && !["true", "false", "1", "0"].includes(value)) throw new UsageError(`invalid argument "${spec}" for "--mount" flag: invalid value for readonly: ${value}`);
      mount.ReadOnly = value === undefined || value === "true" || value === "1";
      continue;
    }
    if (value === undefined) throw new UsageError(`invalid argument "${spec}" for "--mount" flag: invalid field '${field}' must be a key=value pair`);
    if (key === "type") mount.Type = value;
    else if (key === "source" || key === "src") mount.Source = value;
    else if (key === "target" || key === "destination" || key === "dst") mount.Target = value;
    else if (key === "tmpfs-size") mount.TmpfsOptions = { ...mount.TmpfsOptions, SizeBytes: parseSize(value, "--mount") };
    else if (key === "tmpfs-mode") mount.TmpfsOptions = { ...mount.TmpfsOptions, Mode: Number.parseInt(value, 8) };
    else throw new UsageError(`invalid argument "${spec}" for "--mount" flag: unexpected key '${key}' in '${field}'`);
  }
  if (!mount.Target) throw new UsageError(`invalid argument "${spec}" for "--mount" flag: target is required`);
  return mount;
}

/** `--restart on-failure:3` → {Name: "on-failure", MaximumRetryCount: 3}. */
export function parseRestart(policy: string): { Name: string; MaximumRetryCount: number } {
  const [name, count] = policy.split(":");
  if (!["no", "always", "unless-stopped", "on-failure"].includes(name) || (count !== undefined && !/^\d+$/.test(count))) {
    throw new Error(`invalid restart policy ${policy}`);
  }
  return { Name: name, MaximumRetryCount: count === undefined ? 0 : Number(count) };
}

/** `--log-opt max-size=10m` (repeatable) → LogConfig.Config; the daemon judges the keys. */
export function parseLogOpts(opts: string[]): Record<string, string> {
  const config: Record<string, string> = {};
  for (const opt of opts) {
    const eq = opt.indexOf("=");
    if (eq <= 0) throw new Error(`invalid key value pair format in log-opt: ${opt}`);
    config[opt.slice(0, eq)] = opt.slice(eq + 1);
  }
  return config;
}

/** pflag's int parsing, with its wording. */
function parseStopTimeout(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) {
    throw new Error(`invalid argument "${text}" for "--stop-timeout" flag: strconv.ParseInt: parsing "${text}": invalid syntax`);
  }
  return Number(text);
}
