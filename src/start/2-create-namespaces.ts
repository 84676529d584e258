/**
 * Stage 2, a short-lived re-execution of bunker started by the daemon: create the container's
 * namespaces, then start stage 3, which becomes PID 1 inside them. This process reports that
 * PID and exits, so the daemon (a subreaper) adopts the container's init and no bunker
 * process stays alive per container.
 */
import { closeSync, openSync, writeFileSync } from "node:fs";
import * as sys from "../../ffi/sys.ts";
import * as C from "../../ffi/constants.ts";
import { selfCommand } from "../util/self.ts";
import { ACK_FD, readSpecFromEnv, type LaunchNetwork, SPEC_ENV, STAGE_INSIDE, SYNC_FD } from "./spec.ts";
import { failStage, report } from "./sync.ts";

export function createNamespaces(): void {
  try {
    const spec = readSpecFromEnv();
    // Join the cgroups first: stage 3 and everything it starts inherit them, and a cgroup
    // namespace made after the join has the container's own cgroups as its root.
    for (const procs of spec.cgroupProcs) writeFileSync(procs, String(process.pid));
    if (spec.oomScoreAdj !== 0) writeFileSync("/proc/self/oom_score_adj", String(spec.oomScoreAdj));
    const cgroupNamespace = spec.cgroupNamespace ? C.CLONE_NEWCGROUP : 0;
    sys.unshare(C.CLONE_NEWNS | C.CLONE_NEWUTS | C.CLONE_NEWIPC | cgroupNamespace | enterNetwork(spec.network));
    // Nothing mounted in the container's namespace may propagate back to the host (runc#1148).
    sys.mount(null, "/", null, C.MS_REC | C.MS_PRIVATE);
    protectOwnBinary();
    // Last, right before the spawn: once the PID namespace for children differs from ours, the
    // kernel refuses this process new threads (EINVAL), and the runtime aborts if it wants one.
    sys.unshare(C.CLONE_NEWPID);
    const child = Bun.spawn([...selfCommand(), STAGE_INSIDE], {
      env: { [SPEC_ENV]: process.env[SPEC_ENV]! },
      stdio: ["inherit", "inherit", "inherit", SYNC_FD, ACK_FD],
    });
    // The child's exit is the daemon's business from here on; don't keep it referenced.
    child.unref();
    report({ type: "pid", pid: child.pid });
    process.exit(0);
  } catch (err) {
    failStage(err, 125);
  }
}

/**
 * Joins another container's network namespace now (setns of a net namespace works from a
 * threaded process, unlike a PID namespace), and returns the unshare flag the mode needs.
 */
function enterNetwork(network: LaunchNetwork): number {
  if (network.namespace === "new") return C.CLONE_NEWNET;
  if (network.namespace === "host") return 0;
  const fd = openSync(network.namespace.join, "r");
  try {
    sys.setns(fd, C.CLONE_NEWNET);
  } finally {
    closeSync(fd);
  }
  return 0;
}

/**
 * Stage 3 runs from this binary inside the container until it execs the user's command. A
 * read-only bind of the binary in the container's mount namespace keeps a hostile image
 * from rewriting it through /proc/self/exe (the CVE-2019-5736 class).
 */
function protectOwnBinary(): void {
  sys.mount(process.execPath, process.execPath, null, C.MS_BIND);
  sys.mount(null, process.execPath, null, C.MS_BIND | C.MS_REMOUNT | C.MS_RDONLY);
}
