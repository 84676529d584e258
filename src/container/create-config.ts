/**
 * Turns a create request (the Engine API body) and its image into a container record,
 * applying the image's defaults the way Docker does: a given Entrypoint replaces the
 * image's and drops its Cmd, Env merges by key, a given user, hostname or workdir wins.
 */
import { hostname as osHostname } from "node:os";
import { InvalidArgumentError } from "../errors.ts";
import { portRequests, type PortMap } from "../network/port-spec.ts";
import type { Image } from "../image/types.ts";
import { logRotation } from "./log-options.ts";
import { parseNetworkMode, validExtraHosts } from "../network/mode.ts";
import type { EndpointSettings } from "./container-network.ts";
import { validRestartPolicy } from "./restart-policy.ts";
import { DEFAULT_PRIVILEGE_SETTINGS, initialState, type ContainerConfig, type ContainerRecord, type HostConfig, type PrivilegeSettings } from "./record.ts";
import { checkOomScoreAdj, checkResources } from "../cgroup/resources.ts";
import { capabilitiesOf, checkSysctls, parseSecurityOpts } from "../security/privileges.ts";
import { parseDeviceCgroupRule } from "../cgroup/device-rules.ts";
import { checkUlimits } from "./ulimits.ts";

/** Any field may be absent or null (Go's nil), as clients send them; the API has checked the types. */
type Nullish<T> = { [K in keyof T]?: T[K] | null };

export type CreateRequest = Nullish<ContainerConfig> & {
  HostConfig?: (Nullish<Omit<HostConfig, "RestartPolicy">> & { RestartPolicy?: { Name?: string; MaximumRetryCount?: number } | null }) | null;
  NetworkingConfig?: { EndpointsConfig?: Record<string, EndpointSettings | null> | null } | null;
};

export const DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const NAME_PATTERN = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function validateName(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw new InvalidArgumentError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return name.replace(/^\//, "");
}

/** KEY=VALUE lists merged by key, later lists winning, in first-seen order. */
export function mergeEnv(...lists: (string[] | null | undefined)[]): string[] {
  const merged = new Map<string, string>();
  for (const list of lists) {
    for (const entry of list ?? []) merged.set(entry.split("=", 1)[0], entry);
  }
  return [...merged.values()];
}

function nonEmpty(list: string[] | null | undefined): list is string[] {
  return Array.isArray(list) && list.length > 0;
}

/** The log options as given, once they are known to make a valid rotation (the writer applies them at start). */
function validLogConfig(config: Record<string, string> | null | undefined): Record<string, string> {
  logRotation(config);
  return config ?? {};
}

/** Rejects an unknown mode at create, as Docker does, rather than at the first start. */
function validNetworkMode(mode: string): string {
  parseNetworkMode(mode);
  return mode;
}

function validStopTimeout(seconds: number | null | undefined): number | undefined {
  if (seconds == null) return undefined;
  if (!Number.isInteger(seconds)) throw new InvalidArgumentError(`invalid StopTimeout: ${seconds}`);
  return seconds;
}

/** PortBindings as the client sent them, once they are known to name real ports (the start opens them). */
function validPortBindings(bindings: PortMap | null | undefined): PortMap {
  portRequests(bindings);
  return bindings ?? {};
}

/** The security settings of a create, checked now so a bad one fails the create and not every start. */
function privilegeSettings(host: NonNullable<CreateRequest["HostConfig"]>, networkMode: string): PrivilegeSettings {
  const privileged = host.Privileged ?? false;
  capabilitiesOf(host);
  parseSecurityOpts(host.SecurityOpt, privileged);
  for (const rule of host.DeviceCgroupRules ?? []) parseDeviceCgroupRule(rule);
  if (host.ShmSize != null && host.ShmSize < 0) throw new InvalidArgumentError("SHM size can not be less than 0");
  for (const path of Object.keys(host.Tmpfs ?? {})) if (!path.startsWith("/")) throw new InvalidArgumentError(`invalid mount path for tmpfs: ${path}: it must be absolute`);
  const parent = host.CgroupParent ?? "";
  if (parent !== "" && (!/^\/?[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*\/?$/.test(parent) || parent.split("/").includes(".."))) {
    throw new InvalidArgumentError(`invalid cgroup parent: ${parent}`);
  }
  const d = DEFAULT_PRIVILEGE_SETTINGS;
  return {
    Privileged: privileged,
    CapAdd: host.CapAdd ?? d.CapAdd,
    CapDrop: host.CapDrop ?? d.CapDrop,
    SecurityOpt: host.SecurityOpt ?? d.SecurityOpt,
    Devices: host.Devices ?? d.Devices,
    DeviceCgroupRules: host.DeviceCgroupRules ?? d.DeviceCgroupRules,
    ReadonlyRootfs: host.ReadonlyRootfs ?? d.ReadonlyRootfs,
    ...(host.Tmpfs && Object.keys(host.Tmpfs).length > 0 ? { Tmpfs: host.Tmpfs } : {}),
    Ulimits: checkUlimits(host.Ulimits),
    ...(host.Sysctls && Object.keys(host.Sysctls).length > 0 ? { Sysctls: checkSysctls(host.Sysctls, networkMode) } : {}),
    ShmSize: host.ShmSize || d.ShmSize,
    GroupAdd: host.GroupAdd ?? d.GroupAdd,
    CgroupnsMode: host.CgroupnsMode || d.CgroupnsMode,
    OomScoreAdj: checkOomScoreAdj(host.OomScoreAdj),
    CgroupParent: parent,
    ...(host.Mounts && host.Mounts.length > 0 ? { Mounts: host.Mounts } : {}),
  };
}

export function buildRecord(id: string, name: string, request: CreateRequest, image: Image): ContainerRecord {
  const portBindings = validPortBindings(request.HostConfig?.PortBindings);
  const defaults = image.config.config;
  const entrypoint = request.Entrypoint != null ? request.Entrypoint : (defaults.Entrypoint ?? null);
  // A new entrypoint makes the image's Cmd meaningless (Docker drops it too).
  const cmd = nonEmpty(request.Cmd) ? request.Cmd : request.Entrypoint != null ? [] : (defaults.Cmd ?? []);
  const argv = [...(entrypoint ?? []), ...cmd];
  if (argv.length === 0 || argv[0] === "") throw new InvalidArgumentError("No command specified");
  // On the host's network a container has the host's name, as under Docker.
  const hostname = request.Hostname || (request.HostConfig?.NetworkMode === "host" ? osHostname() : id.slice(0, 12));
  const env = mergeEnv([DEFAULT_PATH], defaults.Env, request.Env, [`HOSTNAME=${hostname}`]);
  const host = request.HostConfig ?? {};
  return {
    Id: id,
    Name: name,
    Created: new Date().toISOString(),
    Path: argv[0],
    Args: argv.slice(1),
    Image: image.id,
    Config: {
      Hostname: hostname,
      Domainname: request.Domainname ?? "",
      User: request.User || defaults.User || "",
      AttachStdin: request.AttachStdin ?? false,
      AttachStdout: request.AttachStdout ?? false,
      AttachStderr: request.AttachStderr ?? false,
      // A published port is exposed too, as under Docker.
      ExposedPorts: { ...defaults.ExposedPorts, ...request.ExposedPorts, ...Object.fromEntries(Object.keys(portBindings).map((key) => [key, {}])) },
      Tty: request.Tty ?? false,
      OpenStdin: request.OpenStdin ?? false,
      StdinOnce: request.StdinOnce ?? false,
      Env: env,
      Cmd: cmd.length ? cmd : null,
      Image: request.Image!,
      Volumes: { ...defaults.Volumes, ...request.Volumes },
      WorkingDir: request.WorkingDir || defaults.WorkingDir || "",
      Entrypoint: entrypoint,
      OnBuild: null,
      Labels: { ...defaults.Labels, ...request.Labels },
      StopSignal: request.StopSignal || defaults.StopSignal,
      StopTimeout: validStopTimeout(request.StopTimeout),
    },
    HostConfig: {
      ...checkResources(host),
      ...privilegeSettings(host, host.NetworkMode || "default"),
      PortBindings: portBindings,
      PublishAllPorts: host.PublishAllPorts ?? false,
      AutoRemove: host.AutoRemove ?? false,
      NetworkMode: validNetworkMode(host.NetworkMode || "default"),
      RestartPolicy: validRestartPolicy(host.RestartPolicy ?? undefined, host.AutoRemove ?? false),
      Dns: host.Dns ?? [],
      ExtraHosts: validExtraHosts(host.ExtraHosts),
      Binds: host.Binds ?? null,
      VolumesFrom: host.VolumesFrom ?? null,
      LogConfig: { Type: "json-file", Config: validLogConfig(host.LogConfig?.Config) },
      ConsoleSize: host.ConsoleSize ?? undefined,
    },
    // Filled in by the service, which owns the volumes they may need.
    Mounts: [],
    State: initialState(),
    RestartCount: 0,
    HasBeenManuallyStopped: false,
  };
}
