/**
 * A read-only merged view of layer dirs, mounted on the host for as long as one operation
 * needs it: export reads a container's whole filesystem through it, diff and commit compare
 * a writable layer with the image below it. Containers mount their overlay only inside their
 * own namespace, so the host has no merged tree to read otherwise.
 *
 * An overlay without upper and work dirs is read-only by construction, so nothing done
 * through the view can change a layer. The mount point lives under ROOT/tmp, and is unmounted
 * on every way out; one a crash left behind is detached at the next daemon start.
 */
import { mkdirSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { mountPoints } from "../util/mount-points.ts";
import { join, relative } from "node:path";
import * as sys from "../../ffi/sys.ts";
import * as C from "../../ffi/constants.ts";
import { mountOverlay } from "./overlay-mount.ts";

const VIEW_PREFIX = "view-";

export interface OverlayView {
  /** The merged tree. */
  root: string;
  /** Unmounts and removes the mount point; later calls do nothing. */
  release(): void;
}

/** Mounts `dirs` (top layer first; absolute, or relative to `layersDir`) merged and read-only. */
export function mountOverlayView(tmpDir: string, layersDir: string, dirs: string[]): OverlayView {
  const viewDir = join(tmpDir, `${VIEW_PREFIX}${randomBytes(8).toString("hex")}`);
  const root = join(viewDir, "root");
  const empty = join(viewDir, "empty");
  mkdirSync(root, { recursive: true, mode: 0o700 });
  mkdirSync(empty, { mode: 0o755 });
  try {
    // An overlay without an upper dir needs two lower dirs: an empty one at the bottom
    // makes a one-layer image mountable, and changes nothing in the merged tree.
    const lowers = [...dirs, empty].map((dir) => (dir.startsWith("/") ? relative(layersDir, dir) : dir));
    mountOverlay(layersDir, root, `lowerdir=${lowers.join(":")}`, C.MS_RDONLY);
  } catch (error) {
    rmSync(viewDir, { recursive: true, force: true });
    throw error;
  }
  let mounted = true;
  return {
    root,
    release() {
      if (!mounted) return;
      mounted = false;
      sys.umount2(root, C.MNT_DETACH);
      rmSync(viewDir, { recursive: true, force: true });
    },
  };
}

/** The view for the length of `use`, released whatever happens. */
export async function withOverlayView<T>(tmpDir: string, layersDir: string, dirs: string[], use: (root: string) => Promise<T>): Promise<T> {
  const view = mountOverlayView(tmpDir, layersDir, dirs);
  try {
    return await use(view.root);
  } finally {
    view.release();
  }
}

/** At daemon start: detaches views a crashed daemon left mounted, so ROOT/tmp can be emptied. */
export function detachLeftoverViews(tmpDir: string): void {
  const prefix = join(tmpDir, VIEW_PREFIX);
  for (const mountPoint of mountPoints()) if (mountPoint.startsWith(prefix)) sys.umount2(mountPoint, C.MNT_DETACH);
}
