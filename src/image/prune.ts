/**
 * `image prune`: removes dangling images, the untagged ones nothing is built on and no
 * container uses, with the rules of `rmi` (an untagged parent left without children goes
 * too). Reports what went and the bytes of layers that no image has any more.
 */
import type { ImageStore } from "./image-store.ts";
import type { Image } from "./types.ts";
import { removeImage, type RemovalReport } from "./remove-image.ts";

export interface PruneReport {
  ImagesDeleted: RemovalReport | null;
  SpaceReclaimed: number;
}

export function pruneImages(images: ImageStore, usedBy: (imageId: string) => string[], eligible: (image: Image) => boolean): PruneReport {
  const before = layerBytes(images);
  const deleted: RemovalReport = [];
  for (const image of images.list()) {
    // An earlier removal in this loop may have taken this image with it, as an unused parent.
    const present = images.list().some((other) => other.id === image.id);
    if (!present || !eligible(image) || image.repoTags.length > 0 || images.children(image.id).length > 0 || usedBy(image.id).length > 0) continue;
    deleted.push(...removeImage(images, image.id, { force: false, usedBy }));
  }
  return { ImagesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: before - layerBytes(images) };
}

/** Bytes of every layer some image has, each layer counted once. */
function layerBytes(images: ImageStore): number {
  const layers = new Set(images.list().flatMap((image) => image.config.rootfs.diff_ids));
  return [...layers].reduce((total, diffId) => total + images.layers.size(diffId), 0);
}
