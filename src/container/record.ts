/**
 * A container as bunker keeps it on disk (`containers/<id>/config.json`), in the field names
 * of Docker's inspect output so the API layer renders it without translation.
 */
import type { RunConfig } from "../image/types.ts";
import type { Endpoint } from "../network/bridge-network.ts";
import type { PortMap, PublishedPort } from "../network/port-spec.ts";
import { NEVER } from "../util/timestamp.ts";
import type { Resources } from "../cgroup/resources.ts";
import type { DeviceMapping } from "./devices.ts";
import type { Ulimit } from "./ulimits.ts";

/** "restarting": exited, and waiting out its restart policy's backoff before the next start. */
export type ContainerStatus = "created" | "running" | "restarting" | "exited";

export interface ContainerState {
  Status: ContainerStatus;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  /** The init's start time in clock ticks (/proc/PID/stat field 22): tells a survivor from a reused PID. */
  PidStartTime: number;
  /** The kernel's OOM killer killed a process of the container in its last run (absent in older records). */
  OOMKilled?: boolean;
  /** Frozen by `pause` while running. */
  Paused?: boolean;
}

export interface ContainerConfig extends RunConfig {
  Image: string;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  /** Seconds `stop` and `restart` wait before SIGKILL when the request gives none. */
  StopTimeout?: number;
}

export interface RestartPolicy {
  Name: "" | "no" | "always" | "on-failure" | "unless-stopped";
  MaximumRetryCount: number;
}

/** One `--mount` (Docker's mount.Mount): a bind, a volume (named, or anonymous without Source), or a tmpfs. */
export interface MountSpec {
  Type: "bind" | "volume" | "tmpfs";
  Source?: string | null;
  Target: string;
  ReadOnly?: boolean | null;
  TmpfsOptions?: { SizeBytes?: number | null; Mode?: number | null } | null;
}

/** The security and device settings of `run` (Docker's HostConfig names). */
export interface PrivilegeSettings {
  Privileged: boolean;
  CapAdd: string[] | null;
  CapDrop: string[] | null;
  SecurityOpt: string[] | null;
  Devices: DeviceMapping[];
  DeviceCgroupRules: string[] | null;
  ReadonlyRootfs: boolean;
  /** `--tmpfs PATH[:OPTS]`: path → options. */
  Tmpfs?: Record<string, string>;
  Ulimits: Ulimit[];
  Sysctls?: Record<string, string>;
  ShmSize: number;
  GroupAdd: string[] | null;
  /** "" from a client that leaves it to the daemon: private. */
  CgroupnsMode: "private" | "host" | "";
  OomScoreAdj: number;
  /** `--mount` entries, as the client sent them (Docker's HostConfig.Mounts); planned into `Mounts` and tmpfs at create and start. */
  Mounts?: MountSpec[];
  /** `--cgroup-parent`: where this container's cgroups go instead of the daemon's parent ("" for that). */
  CgroupParent: string;
}

/** Docker's defaults, for a create that gives none and for records written before these settings existed. */
export const DEFAULT_PRIVILEGE_SETTINGS: PrivilegeSettings = {
  Privileged: false,
  CapAdd: null,
  CapDrop: null,
  SecurityOpt: null,
  Devices: [],
  DeviceCgroupRules: null,
  ReadonlyRootfs: false,
  Ulimits: [],
  ShmSize: 64 * 1024 * 1024,
  GroupAdd: null,
  CgroupnsMode: "private",
  OomScoreAdj: 0,
  CgroupParent: "",
};

export interface HostConfig extends Resources, PrivilegeSettings {
  AutoRemove: boolean;
  NetworkMode: string;
  RestartPolicy: RestartPolicy;
  Dns: string[];
  /** `--add-host` entries, `host:ip`. */
  ExtraHosts: string[] | null;
  Binds: string[] | null;
  /** `CONTAINER[:ro|rw]`: the containers whose mounts this one shares, as given. */
  VolumesFrom: string[] | null;
  LogConfig: { Type: string; Config: Record<string, string> };
  /** `-p` as the client sent it (`{"80/tcp":[{"HostIp":"","HostPort":"8080"}]}`). */
  PortBindings: PortMap;
  /** `-P`: every exposed port gets an ephemeral host port. */
  PublishAllPorts: boolean;
  /** [rows, cols] of the client's terminal at create, for `-t`. */
  ConsoleSize?: [number, number];
}

interface MountFields {
  /** The host path mounted: a volume's data directory, or the bound host path. */
  Source: string;
  Destination: string;
  /** "ro" or "rw" as the user wrote it, "" when not given. */
  Mode: string;
  RW: boolean;
  Propagation: "";
}

/**
 * One of a container's volumes or binds, in the shape of inspect's `Mounts` (API v1.41): a
 * volume carries its ID as `Name`; Docker leaves `Name` and `Driver` out for binds.
 */
export type MountPoint = (MountFields & { Type: "bind" }) | (MountFields & { Type: "volume"; Name: string; Driver: "local" });

/** A container's membership of one network. */
export interface NetworkAttachment {
  Aliases: string[];
  /** `--ip`: the address asked for. */
  IPv4Address?: string;
  Endpoint?: Endpoint;
}

export interface ContainerRecord {
  Id: string;
  /** Without the leading slash the API adds. */
  Name: string;
  Created: string;
  Path: string;
  Args: string[];
  /** The image ID ("sha256:…"); `Config.Image` keeps the name as the user gave it. */
  Image: string;
  Config: ContainerConfig;
  HostConfig: HostConfig;
  /** Decided once at create, so a volume stays the same across restarts and others can share it. */
  Mounts: MountPoint[];
  State: ContainerState;
  RestartCount: number;
  /** Stopped by the user (stop, or kill with a fatal signal) since the last start: `unless-stopped` leaves it be. */
  HasBeenManuallyStopped: boolean;
  /**
   * The bridge networks it is on, by network ID, in the order joined (the first is the one of
   * `NetworkMode`), each with its aliases and chosen address, and its endpoint while it runs:
   * an address stays taken as long as an endpoint is set. Absent in records written before
   * user-defined networks (ContainerNetworking.migrate reads those).
   */
  Networks?: Record<string, NetworkAttachment>;
  /** Records before user-defined networks: the endpoint on the default bridge. */
  Endpoint?: Endpoint;
  /** The host ports that forward to it, while it runs. */
  Ports?: PublishedPort[];
  /** Its cgroups' path in every hierarchy (`bunker/<id>`), fixed at create; older records have none. */
  CgroupPath?: string;
}

export { NEVER };

export function initialState(): ContainerState {
  return { Status: "created", Pid: 0, ExitCode: 0, Error: "", StartedAt: NEVER, FinishedAt: NEVER, PidStartTime: 0 };
}
