/**
 * The keys of Docker's v1.41 inspect shapes that bunker does not keep, with the values dockerd
 * 20.10 gives a container or an image that did not set them. Templates and clients that read
 * them (`{{.HostConfig.Memory}}`, compose's checks) find Docker's defaults, not `<no value>`.
 */
import { MASKED_PATHS, READONLY_PATHS } from "../../src/start/masked-paths.ts";

export const HOST_CONFIG_DEFAULTS = {
  Binds: null,
  ContainerIDFile: "",
  LogConfig: { Type: "json-file", Config: {} },
  NetworkMode: "default",
  PortBindings: {},
  RestartPolicy: { Name: "no", MaximumRetryCount: 0 },
  AutoRemove: false,
  VolumeDriver: "",
  VolumesFrom: null,
  CapAdd: null,
  CapDrop: null,
  CgroupnsMode: "host",
  Dns: [],
  DnsOptions: [],
  DnsSearch: [],
  ExtraHosts: null,
  GroupAdd: null,
  IpcMode: "private",
  Cgroup: "",
  Links: null,
  OomScoreAdj: 0,
  PidMode: "",
  Privileged: false,
  PublishAllPorts: false,
  ReadonlyRootfs: false,
  SecurityOpt: null,
  UTSMode: "",
  UsernsMode: "",
  ShmSize: 67108864,
  Runtime: "bunker",
  ConsoleSize: [0, 0],
  Isolation: "",
  CpuShares: 0,
  Memory: 0,
  NanoCpus: 0,
  CgroupParent: "",
  BlkioWeight: 0,
  BlkioWeightDevice: [],
  BlkioDeviceReadBps: [],
  BlkioDeviceWriteBps: [],
  BlkioDeviceReadIOps: [],
  BlkioDeviceWriteIOps: [],
  CpuPeriod: 0,
  CpuQuota: 0,
  CpuRealtimePeriod: 0,
  CpuRealtimeRuntime: 0,
  CpusetCpus: "",
  CpusetMems: "",
  Devices: [],
  DeviceCgroupRules: null,
  DeviceRequests: null,
  KernelMemory: 0,
  KernelMemoryTCP: 0,
  MemoryReservation: 0,
  MemorySwap: 0,
  MemorySwappiness: null,
  OomKillDisable: false,
  PidsLimit: null,
  Ulimits: [],
  CpuCount: 0,
  CpuPercent: 0,
  IOMaximumIOps: 0,
  IOMaximumBandwidth: 0,
  MaskedPaths: MASKED_PATHS,
  ReadonlyPaths: READONLY_PATHS,
};

/** A container config's keys as Docker always writes them (ExposedPorts, StopSignal and StopTimeout only when set). */
export const CONTAINER_CONFIG_DEFAULTS = {
  Hostname: "",
  Domainname: "",
  User: "",
  AttachStdin: false,
  AttachStdout: false,
  AttachStderr: false,
  Tty: false,
  OpenStdin: false,
  StdinOnce: false,
  Env: null,
  Cmd: null,
  Image: "",
  Volumes: null,
  WorkingDir: "",
  Entrypoint: null,
  OnBuild: null,
  Labels: null,
};

/** Docker's omitempty: an empty map or list of these keys is left out. */
export function withoutEmpty<T extends Record<string, unknown>>(config: T, keys: string[]): T {
  const out: Record<string, unknown> = { ...config };
  for (const key of keys) {
    const value = out[key];
    if (value == null || (typeof value === "object" && Object.keys(value).length === 0)) delete out[key];
  }
  return out as T;
}
