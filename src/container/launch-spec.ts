/** What one start of a container needs from its record, its image and its volumes: stage 1's input. */
import { prepareRootfs } from "../start/1-prepare-rootfs.ts";
import type { LaunchSpec } from "../start/spec.ts";
import type { LayerStore } from "../image/layer-store.ts";
import { containerLowers } from "./init-layer.ts";
import type { Image } from "../image/types.ts";
import type { VolumeStore } from "../volume/store.ts";
import { launchPrivileges } from "../security/privileges.ts";
import { rlimitsOf } from "./ulimits.ts";
import type { CgroupMount, LaunchDevice } from "../start/spec.ts";
import { launchMounts, tmpfsMounts } from "./mounts.ts";
import type { ContainerRecord } from "./record.ts";
import type { NetworkPlan } from "./container-network.ts";

export interface LaunchContext {
  containerDir: string;
  layers: LayerStore;
  cgroupProcs: string[];
  /** The daemon's `--dns`, for a container that gave none. */
  defaultDns: string[];
  /** The hierarchies a private cgroup namespace mounts. */
  cgroupMounts: CgroupMount[];
  /** `--device` nodes, or every host device with `--privileged`. */
  devices: LaunchDevice[];
  volumes: VolumeStore;
}

export function launchSpecFor(record: ContainerRecord, image: Image, network: NetworkPlan, context: LaunchContext): LaunchSpec {
  const host = record.HostConfig;
  return prepareRootfs({
    containerId: record.Id,
    containerDir: context.containerDir,
    layersDir: context.layers.layersDir,
    lowerDirs: containerLowers(context.containerDir, context.layers, image.config.rootfs.diff_ids),
    hostname: record.Config.Hostname!,
    // On a user-defined network its DNS server, which forwards what it does not know to the
    // container's `--dns`, the daemon's, or the host's resolvers.
    dns: network.nameserver ? [network.nameserver] : record.HostConfig.Dns.length > 0 ? record.HostConfig.Dns : context.defaultDns,
    extraHosts: record.HostConfig.ExtraHosts ?? [],
    address: network.endpoints[0]?.IPAddress,
    network: network.launch,
    cgroupProcs: context.cgroupProcs,
    process: {
      args: [record.Path, ...record.Args],
      env: record.Config.Env ?? [],
      cwd: record.Config.WorkingDir || "/",
      user: record.Config.User ?? "",
    },
    ...launchPrivileges(host),
    devices: context.devices,
    readonlyRootfs: host.ReadonlyRootfs,
    tmpfs: tmpfsMounts(host),
    sysctls: host.Sysctls ?? {},
    rlimits: rlimitsOf(host.Ulimits),
    shmSize: host.ShmSize,
    additionalGroups: host.GroupAdd ?? [],
    cgroupNamespace: host.CgroupnsMode === "private",
    cgroupMounts: host.CgroupnsMode === "private" ? context.cgroupMounts : [],
    oomScoreAdj: host.OomScoreAdj,
    terminal: record.Config.Tty,
    mounts: launchMounts(record.Mounts, context.volumes),
  });
}

/** The terminal size the client asked for at create (`ConsoleSize: [rows, cols]`), if any. */
export function consoleSize(record: ContainerRecord): { rows: number; cols: number } | undefined {
  const [rows, cols] = record.HostConfig.ConsoleSize ?? [0, 0];
  return rows > 0 && cols > 0 ? { rows, cols } : undefined;
}
