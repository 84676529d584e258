/**
 * What the exec stages need to start one process inside a running container. The daemon
 * opens the container init's namespaces (/proc/<pid>/ns/*) itself, before anything else, and
 * hands them over as descriptors from fd 5 on in NAMESPACES order, so a PID reused by the
 * time the stage runs cannot redirect the exec into another process's namespaces.
 */
import type { ProcessSpec } from "../start/4-exec.ts";

export interface ExecSpec extends ProcessSpec {
  /** The container's `cgroup.procs` files: the process joins its cgroups (and so its limits) first. */
  cgroupProcs: string[];
}

/** Joined in runc's order; mnt last, and by the second stage (see ./2-enter-container.ts). */
export const NAMESPACES = ["ipc", "uts", "net", "cgroup", "pid", "mnt"] as const;

/** Where the namespaces' descriptors are in the join stage: fd 5 and on. */
export const FIRST_NS_FD = 5;

/** Where the enter stage finds the mount namespace. */
export const MNT_FD = 5;

export const STAGE_EXEC_JOIN = "__stage-exec-join";
export const STAGE_EXEC_ENTER = "__stage-exec-enter";
