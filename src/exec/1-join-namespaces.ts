/**
 * Exec, stage 1: a short-lived re-execution of bunker joins the container's cgroups, then
 * its IPC, UTS, network, cgroup and PID namespaces, and starts stage 2 there. Not dumpable
 * first (CVE-2016-9962: a process in the container must not ptrace or open /proc of a
 * half-joined bunker). A PID namespace is entered by the children only, so stage 2, spawned
 * last, is the one inside it; the mount namespace is left to stage 2, because this stage must
 * still find its own binary on the host to spawn it. It reports stage 2's PID and exits: the
 * daemon, a subreaper, adopts the exec'd process, and no bunker process stays per exec.
 */
import { closeSync, writeFileSync } from "node:fs";
import * as sys from "../../ffi/sys.ts";
import * as C from "../../ffi/constants.ts";
import { selfCommand } from "../util/self.ts";
import { ACK_FD, readSpecFromEnv, SPEC_ENV, SYNC_FD } from "../start/spec.ts";
import { failStage, report } from "../start/sync.ts";
import { FIRST_NS_FD, NAMESPACES, STAGE_EXEC_ENTER, type ExecSpec } from "./exec-spec.ts";

const FLAGS: Record<(typeof NAMESPACES)[number], number> = {
  ipc: C.CLONE_NEWIPC,
  uts: C.CLONE_NEWUTS,
  net: C.CLONE_NEWNET,
  cgroup: C.CLONE_NEWCGROUP,
  pid: C.CLONE_NEWPID,
  mnt: C.CLONE_NEWNS,
};

export function joinNamespaces(): void {
  try {
    const spec = readSpecFromEnv() as unknown as ExecSpec;
    sys.prctl(C.PR_SET_DUMPABLE, 0);
    for (const procs of spec.cgroupProcs) writeFileSync(procs, String(process.pid));
    const mnt = FIRST_NS_FD + NAMESPACES.indexOf("mnt");
    NAMESPACES.forEach((name, i) => {
      if (name !== "mnt") sys.setns(FIRST_NS_FD + i, FLAGS[name]);
    });
    // The PID namespace last: from here on this process may not make new threads.
    const child = Bun.spawn([...selfCommand(), STAGE_EXEC_ENTER], {
      env: { [SPEC_ENV]: process.env[SPEC_ENV]! },
      stdio: ["inherit", "inherit", "inherit", SYNC_FD, ACK_FD, mnt],
    });
    child.unref();
    for (let i = 0; i < NAMESPACES.length; i++) closeSync(FIRST_NS_FD + i);
    report({ type: "pid", pid: child.pid });
    process.exit(0);
  } catch (err) {
    failStage(err, 126);
  }
}
