/**
 * What the re-executed start stages need to build one container. The daemon computes it
 * (stage 1) and hands it to stage 2 in an environment variable; stage 2 passes it on to
 * stage 3. Stages report back over the sync pipe, which the daemon sees as fd 3.
 *
 * The order of messages on a start, sync pipe (stage → daemon) and ack pipe (daemon → stage 3):
 *   1. stage 2 → `pid` of stage 3, then exits.
 *   2. with `network.interfaces`: the daemon creates a veth pair per network, each peer made
 *      (`eth0`, `eth1`, …) inside that PID's network namespace, and acks; stage 3 waits for
 *      this ack before it configures them (address, up, default route). Without, nothing is
 *      exchanged here.
 *   3. with `terminal`: stage 3 → `console`; the daemon takes the master and acks.
 *   4. EOF (stage 3's copy closes on execve), or `error` from whichever stage failed.
 */

export interface LaunchSpec {
  containerId: string;
  /** Absolute path where the overlay root is mounted, inside the new mount namespace only. */
  rootfs: string;
  /** The layer store's directory; lower dirs are named relative to it to keep the mount options short. */
  layersDir: string;
  /** Image layers, top-most first, relative to `layersDir`. */
  lowerDirs: string[];
  upperDir: string;
  workDir: string;
  hostname: string;
  /** Host files bind-mounted over container paths (/etc/hostname, /etc/hosts, /etc/resolv.conf). */
  fileBinds: { source: string; target: string }[];
  /** Volumes and binds, parents before children. */
  mounts: LaunchMount[];
  /** `cgroup.procs` files stage 2 writes itself into, so the container starts inside its cgroups. */
  cgroupProcs: string[];
  process: {
    args: string[];
    env: string[];
    cwd: string;
    /** "", "name", "uid", "name:group" or "uid:gid", resolved against the container's /etc files. */
    user: string;
  };
  /** Capability numbers the container keeps; every other one is dropped from all sets. */
  capabilities: number[];
  /** The seccomp BPF program installed right before execve (base64); absent when unconfined. */
  seccomp?: string;
  /** `--security-opt no-new-privileges`: setuid binaries and file capabilities grant nothing. */
  noNewPrivileges: boolean;
  /** `--privileged`: /proc unmasked and /sys writable, as on the host. */
  privileged: boolean;
  /** Device nodes made in the container's /dev (`--device`, and every host device with `--privileged`). */
  devices: LaunchDevice[];
  /** `--read-only`: the root is remounted read-only once everything is mounted on it. */
  readonlyRootfs: boolean;
  /** `--tmpfs PATH[:OPTS]`: tmpfs mounts, with mount(8) options (size=, mode=, noexec…). */
  tmpfs: { target: string; options: string }[];
  /** `--sysctl`: namespaced kernel settings written under /proc/sys before it goes read-only. */
  sysctls: Record<string, string>;
  /** `--ulimit`: resource limits set before execve (RLIMIT_* numbers). */
  rlimits: { resource: number; soft: number; hard: number }[];
  /** Size in bytes of /dev/shm (`--shm-size`). */
  shmSize: number;
  /** `--group-add`: more groups, names resolved against the container's /etc/group. */
  additionalGroups: string[];
  /** A cgroup namespace of its own (`--cgroupns private`): stage 2 makes it once it has joined the container's cgroups. */
  cgroupNamespace: boolean;
  /** Written to /proc/self/oom_score_adj by stage 2, so everything in the container inherits it. */
  oomScoreAdj: number;
  /** With a cgroup namespace: the host's hierarchies, mounted read-only under /sys/fs/cgroup, each showing only the container's cgroup. */
  cgroupMounts: CgroupMount[];
  /** Give the process a terminal (`-t`): a pty from the container's own devpts. */
  terminal: boolean;
  network: LaunchNetwork;
}

/**
 * The container's network namespace: a new one (stage 2 unshares it; stage 3 brings `lo`
 * up), the host's, or joined from another container's (`/proc/<pid>/ns/net`, by setns).
 */
export interface LaunchNetwork {
  namespace: "new" | "host" | { join: string };
  /** On bridge networks: the interfaces the daemon moves in, configured by stage 3 once acked. */
  interfaces?: { name: string; address: string; prefixLength: number }[];
  /** The default route's gateway: that of the first network with a way out (none on `--internal` ones). */
  gateway?: string;
}

/** One cgroup hierarchy as mounted under /sys/fs/cgroup: its directory name ("" for a v2 host's one tree, at /sys/fs/cgroup itself), type and mount options (the controllers). */
export interface CgroupMount {
  dir: string;
  fstype: "cgroup" | "cgroup2";
  options: string;
}

/** A device node, as the host has it (`path` is where it goes in the container). */
export interface LaunchDevice {
  path: string;
  type: "c" | "b";
  major: number;
  minor: number;
  mode: number;
  uid: number;
  gid: number;
}

/** A host directory or file bind-mounted at a container path: a volume's data, or a user's bind. */
export interface LaunchMount {
  source: string;
  /** The path inside the container; resolved within the rootfs, never following a symlink out. */
  target: string;
  readonly: boolean;
  /** Copy what the image has at `target` into `source` first, if `source` is still empty. */
  seed: boolean;
}

export const SPEC_ENV = "BUNKER_LAUNCH_SPEC";

/** The descriptor on which stages talk to the daemon. Closed by execve (close-on-exec). */
export const SYNC_FD = 3;

/** The descriptor on which the daemon answers stage 3: one byte once it holds the terminal master. */
export const ACK_FD = 4;

export type SyncMessage =
  | { type: "pid"; pid: number }
  /** Stage 3 opened the terminal; `fd` is the master's number in stage 3, for the daemon to take. */
  | { type: "console"; fd: number }
  | { type: "error"; message: string; exitCode: number };

export const STAGE_NAMESPACES = "__stage-namespaces";
export const STAGE_INSIDE = "__stage-inside";

export function readSpecFromEnv(): LaunchSpec {
  const raw = process.env[SPEC_ENV];
  if (!raw) throw new Error(`${SPEC_ENV} is not set: this stage is started by the daemon only`);
  return JSON.parse(raw) as LaunchSpec;
}
