/** Container records in the Engine API's shapes: `/containers/json` items and inspect. */
import { inspectPorts, listPorts } from "../../src/network/port-spec.ts";
import { join } from "node:path";
import { humanDuration } from "../../src/util/human.ts";
import type { ContainerRecord, NetworkAttachment } from "../../src/container/record.ts";
import type { NetworkView } from "../../src/container/container-network.ts";
import { CONTAINER_CONFIG_DEFAULTS, HOST_CONFIG_DEFAULTS, withoutEmpty } from "./docker-defaults.ts";

/**
 * The container's networks in the v1.41 shape, by name, each endpoint empty while it is
 * stopped, as in Docker; for `container:` mode and `host`/`none` the mode's own entry.
 */
function networks(record: ContainerRecord, views: NetworkView[]) {
  const mode = record.HostConfig.NetworkMode;
  if (mode === "host" || mode === "none") return { [mode]: endpointShape(undefined, undefined) };
  return Object.fromEntries(views.map(({ id, name, attachment }) => [name, endpointShape(id, attachment)]));
}

function endpointShape(networkId: string | undefined, attachment: NetworkAttachment | undefined) {
  const endpoint = attachment?.Endpoint;
  return {
    IPAMConfig: attachment?.IPv4Address ? { IPv4Address: attachment.IPv4Address } : null,
    Links: null,
    Aliases: attachment?.Aliases.length ? attachment.Aliases : null,
    NetworkID: networkId ?? "",
    EndpointID: endpoint?.HostVeth ?? "",
    Gateway: endpoint?.Gateway ?? "",
    IPAddress: endpoint?.IPAddress ?? "",
    IPPrefixLen: endpoint?.IPPrefixLen ?? 0,
    IPv6Gateway: "",
    GlobalIPv6Address: "",
    GlobalIPv6PrefixLen: 0,
    MacAddress: endpoint?.MacAddress ?? "",
    DriverOpts: null,
  };
}

/**
 * `docker ps` STATUS comes verbatim from the server: "Up 5 seconds", "Restarting (1) 2 seconds ago",
 * "Exited (0) 2 minutes ago", "Created".
 */
export function statusText(record: ContainerRecord, now = Date.now()): string {
  const { State } = record;
  if (State.Status === "running") return `Up ${humanDuration(now - Date.parse(State.StartedAt))}${State.Paused ? " (Paused)" : ""}`;
  if (State.Status === "restarting") return `Restarting (${State.ExitCode}) ${humanDuration(now - Date.parse(State.FinishedAt))} ago`;
  if (State.Status === "exited") return `Exited (${State.ExitCode}) ${humanDuration(now - Date.parse(State.FinishedAt))} ago`;
  return "Created";
}

/** Docker's status words: a paused container is "paused", though it is still running. */
export function shownStatus(record: ContainerRecord): string {
  return record.State.Status === "running" && record.State.Paused ? "paused" : record.State.Status;
}

/** dockerd's rendering: arguments with a space in single quotes (`sh -c 'echo hi'`). */
function commandLine(record: ContainerRecord): string {
  return [record.Path, ...record.Args.map((arg) => (arg.includes(" ") ? `'${arg}'` : arg))].join(" ");
}

export function listItem(record: ContainerRecord, views: NetworkView[], sizes?: ContainerSizes) {
  return {
    ...sizes,
    Id: record.Id,
    Names: [`/${record.Name}`],
    Image: record.Config.Image,
    ImageID: record.Image,
    Command: commandLine(record),
    Created: Math.floor(Date.parse(record.Created) / 1000),
    Ports: listPorts(Object.keys(record.Config.ExposedPorts ?? {}), record.Ports ?? []),
    Labels: record.Config.Labels ?? {},
    State: shownStatus(record),
    Status: statusText(record),
    HostConfig: { NetworkMode: record.HostConfig.NetworkMode },
    NetworkSettings: { Networks: networks(record, views) },
    Mounts: record.Mounts,
  };
}

/** `size=1`: the bytes of the container's writable layer, and of its whole root filesystem. */
export interface ContainerSizes {
  SizeRw: number;
  SizeRootFs: number;
}

export function inspect(record: ContainerRecord, views: NetworkView[], containerDir: string, logPath: string, sizes?: ContainerSizes, execIds: string[] | null = null) {
  const { State } = record;
  // Docker's top-level address fields are those of the default bridge only.
  const bridge = views.find((view) => view.name === "bridge")?.attachment.Endpoint;
  return {
    Id: record.Id,
    Created: record.Created,
    Path: record.Path,
    Args: record.Args,
    State: {
      Status: shownStatus(record),
      // Docker counts a container waiting to restart as running.
      Running: State.Status === "running" || State.Status === "restarting",
      Paused: State.Paused === true,
      Restarting: State.Status === "restarting",
      OOMKilled: State.OOMKilled === true,
      Dead: false,
      Pid: State.Pid,
      ExitCode: State.ExitCode,
      Error: State.Error,
      StartedAt: State.StartedAt,
      FinishedAt: State.FinishedAt,
    },
    Image: record.Image,
    ResolvConfPath: join(containerDir, "resolv.conf"),
    HostnamePath: join(containerDir, "hostname"),
    HostsPath: join(containerDir, "hosts"),
    LogPath: logPath,
    Name: `/${record.Name}`,
    RestartCount: record.RestartCount,
    Driver: "overlay2",
    Platform: "linux",
    MountLabel: "",
    ProcessLabel: "",
    AppArmorProfile: "",
    ExecIDs: execIds,
    HostConfig: { ...HOST_CONFIG_DEFAULTS, ...record.HostConfig, ConsoleSize: record.HostConfig.ConsoleSize ?? [0, 0] },
    GraphDriver: {
      Name: "overlay2",
      Data: { UpperDir: join(containerDir, "upper"), WorkDir: join(containerDir, "work"), MergedDir: join(containerDir, "rootfs") },
    },
    ...sizes,
    Mounts: record.Mounts,
    Config: withoutEmpty({ ...CONTAINER_CONFIG_DEFAULTS, ...record.Config }, ["ExposedPorts", "StopSignal", "StopTimeout"]),
    NetworkSettings: {
      Bridge: "",
      SandboxID: "",
      HairpinMode: false,
      LinkLocalIPv6Address: "",
      LinkLocalIPv6PrefixLen: 0,
      Ports: inspectPorts(Object.keys(record.Config.ExposedPorts ?? {}), record.Ports ?? []),
      SandboxKey: "",
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: bridge?.HostVeth ?? "",
      Gateway: bridge?.Gateway ?? "",
      GlobalIPv6Address: "",
      GlobalIPv6PrefixLen: 0,
      IPAddress: bridge?.IPAddress ?? "",
      IPPrefixLen: bridge?.IPPrefixLen ?? 0,
      IPv6Gateway: "",
      MacAddress: bridge?.MacAddress ?? "",
      Networks: networks(record, views),
    },
  };
}
