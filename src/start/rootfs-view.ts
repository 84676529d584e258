/**
 * A stopped container's root, mounted for `cp` without touching the host's mount table: this
 * short-lived re-execution of bunker unshares a mount namespace of its own, mounts the
 * container's overlay there (the same lowers, upper and work dir a start would use) and
 * waits. The daemon reaches the tree through /proc/<this pid>/root/<rootfs> and closes our
 * stdin when done; the mount dies with the process, so a daemon crash cannot leak it either.
 * Writing through a real overlay mount gives exact copy-up, whiteout and opaque-dir
 * semantics for free, which writing into the upper dir by hand would have to re-create.
 */
import * as sys from "../../ffi/sys.ts";
import * as C from "../../ffi/constants.ts";
import { mountRoot } from "./3-setup-inside.ts";
import type { LaunchSpec } from "./spec.ts";

export const STAGE_ROOTFS_VIEW = "__stage-rootfs-view";
export const ROOTFS_VIEW_ENV = "BUNKER_ROOTFS_VIEW";
/** The line the stage prints once the tree is mounted. */
export const ROOTFS_VIEW_READY = "ready";

export type RootfsViewSpec = Pick<LaunchSpec, "layersDir" | "lowerDirs" | "upperDir" | "workDir" | "rootfs">;

export async function holdRootfsView(): Promise<void> {
  try {
    const spec = JSON.parse(process.env[ROOTFS_VIEW_ENV] ?? "") as RootfsViewSpec;
    sys.unshare(C.CLONE_NEWNS);
    // Nothing mounted here may propagate back to the host.
    sys.mount(null, "/", null, C.MS_REC | C.MS_PRIVATE);
    mountRoot(spec);
    process.stdout.write(`${ROOTFS_VIEW_READY}\n`);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  for await (const _ of Bun.stdin.stream()) {
    // Input means nothing; its end (the daemon closed it, or died) is the signal to go.
  }
  process.exit(0);
}
