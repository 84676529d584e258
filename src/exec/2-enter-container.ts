/**
 * Exec, stage 2: already in the container's PID namespace (and its IPC, UTS, network and
 * cgroup ones), enter its mount namespace, which gives this process the container's root and
 * working directory, take a terminal from the container's devpts with `-t`, and become the
 * process exactly as a container's init does (start stage 4: user, groups, capabilities,
 * seccomp, close-on-exec, execve).
 */
import { closeSync } from "node:fs";
import * as sys from "../../ffi/sys.ts";
import * as C from "../../ffi/constants.ts";
import { readSpecFromEnv } from "../start/spec.ts";
import { failStage } from "../start/sync.ts";
import { handOverTerminal } from "../start/console.ts";
import { execProcess, ExecError } from "../start/4-exec.ts";
import { MNT_FD, type ExecSpec } from "./exec-spec.ts";

export function enterContainer(): void {
  try {
    const spec = readSpecFromEnv() as unknown as ExecSpec;
    sys.prctl(C.PR_SET_DUMPABLE, 0);
    // A multi-threaded process shares its filesystem context with its threads: setns into a
    // mount namespace is refused (EINVAL) until this thread has a context of its own.
    sys.unshare(C.CLONE_FS);
    sys.setns(MNT_FD, C.CLONE_NEWNS);
    closeSync(MNT_FD);
    if (spec.terminal) handOverTerminal();
    execProcess(spec);
  } catch (err) {
    failStage(err, err instanceof ExecError ? err.exitCode : 126);
  }
}
