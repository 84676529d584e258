/**
 * Mounting an overlay of the layer store's layers, for a container's root (stage 3, and cp's
 * view of a stopped container) and for the read-only views of diff, commit and export.
 * Lower dirs are named by their short links relative to the layer store ("l/<16 hex>"), which
 * keeps a deep image's options within the one page of mount data the kernel accepts; past it
 * the error says so plainly instead of EINVAL.
 */
import * as sys from "../../ffi/sys.ts";
import { InvalidArgumentError } from "../errors.ts";

const MAX_MOUNT_DATA = 4095;

/** Mounts overlay `options` on `target`, resolving relative lower dirs from `layersDir` (`mount`: the stages' seam). */
export function mountOverlay(layersDir: string, target: string, options: string, flags: number, mount: typeof sys.mount = sys.mount): void {
  if (options.length > MAX_MOUNT_DATA) {
    throw new InvalidArgumentError(`too many layers to mount: overlay options are ${options.length} bytes, the limit is ${MAX_MOUNT_DATA}`);
  }
  const previous = process.cwd();
  process.chdir(layersDir);
  try {
    mount("overlay", target, "overlay", flags, options);
  } finally {
    // Synchronous: nothing else runs while the working directory is the layer store.
    process.chdir(previous);
  }
}
