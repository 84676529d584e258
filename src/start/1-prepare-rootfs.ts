/**
 * Stage 1, in the daemon: lay out everything the container's root needs on the host side
 * (overlay upper and work dirs, the mount point, the generated /etc files) and compute the
 * launch spec for the stages that follow. Nothing is mounted here: the overlay lives only
 * in the container's own mount namespace, so it cannot leak onto the host.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LaunchMount, LaunchSpec } from "./spec.ts";
import { containerResolvConf } from "../network/host-resolvers.ts";

export interface RootfsInput {
  containerId: string;
  containerDir: string;
  layersDir: string;
  /** Lower dirs relative to `layersDir`, top-most first, each once (layer-store's mountLowers). */
  lowerDirs: string[];
  hostname: string;
  dns: string[];
  /** `host:ip` entries added to /etc/hosts (`--add-host`). */
  extraHosts: string[];
  /** The container's address on the bridge: /etc/hosts maps the hostname to it. */
  address?: string;
  network: LaunchSpec["network"];
  cgroupProcs: string[];
  process: LaunchSpec["process"];
  terminal: boolean;
  mounts: LaunchMount[];
}

/** The parts of the spec stage 1 passes through as they are: privileges, limits, devices, cgroup namespace. */
type PassedThrough = Pick<
  LaunchSpec,
  | "capabilities" | "seccomp" | "noNewPrivileges" | "privileged" | "devices" | "readonlyRootfs" | "tmpfs" | "sysctls"
  | "rlimits" | "shmSize" | "additionalGroups" | "cgroupNamespace" | "cgroupMounts" | "oomScoreAdj"
>;

const HOSTS = `127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
fe00::0\tip6-localnet
ff00::0\tip6-mcastprefix
ff02::1\tip6-allnodes
ff02::2\tip6-allrouters
`;

export function containerPaths(containerDir: string) {
  return {
    rootfs: join(containerDir, "rootfs"),
    upper: join(containerDir, "upper"),
    work: join(containerDir, "work"),
    hostname: join(containerDir, "hostname"),
    hosts: join(containerDir, "hosts"),
    resolvConf: join(containerDir, "resolv.conf"),
  };
}

export function prepareRootfs(input: RootfsInput & PassedThrough): LaunchSpec {
  const paths = containerPaths(input.containerDir);
  for (const dir of [paths.rootfs, paths.upper, paths.work]) mkdirSync(dir, { recursive: true });
  writeFileSync(paths.hostname, `${input.hostname}\n`);
  writeFileSync(paths.hosts, hosts(input));
  writeFileSync(paths.resolvConf, containerResolvConf(input.dns));
  // Like Docker, a bind of a host path that does not exist creates it, as a directory.
  for (const mount of input.mounts) if (!existsSync(mount.source)) mkdirSync(mount.source, { recursive: true });
  const { containerDir: _dir, dns: _dns, extraHosts: _hosts, address: _address, ...passed } = input;
  return {
    ...passed,
    rootfs: paths.rootfs,
    upperDir: paths.upper,
    workDir: paths.work,
    fileBinds: [
      { source: paths.hostname, target: "/etc/hostname" },
      { source: paths.hosts, target: "/etc/hosts" },
      { source: paths.resolvConf, target: "/etc/resolv.conf" },
    ],
    mounts: [...input.mounts].sort((a, b) => depth(a.target) - depth(b.target)),
  };
}

/** Docker's /etc/hosts: the fixed entries, `--add-host` lines, then the container's own name. */
function hosts(input: RootfsInput): string {
  const extra = input.extraHosts.map((entry) => {
    const colon = entry.indexOf(":");
    return `${entry.slice(colon + 1)}\t${entry.slice(0, colon)}\n`;
  });
  const own = input.address ? `${input.address}\t${input.hostname}\n` : input.hostname === "localhost" ? "" : `127.0.1.1\t${input.hostname}\n`;
  return `${HOSTS}${extra.join("")}${own}`;
}

/** Mounting in order of depth puts a mount at /a before one at /a/b, which must land on top of it. */
function depth(path: string): number {
  return path.split("/").filter(Boolean).length;
}
