/**
 * `rmi`: untag first, delete only the last reference, Docker's conflicts in between. An image
 * that a container uses, or that another image is built on, is never deleted; its layers go
 * only when no image has them any more. An untagged parent left without children goes too.
 */
import { ConflictError } from "../errors.ts";
import { shortId } from "../util/ids.ts";
import type { ImageStore } from "./image-store.ts";
import { formatReference, parseReference } from "./reference.ts";
import type { Image } from "./types.ts";

export type RemovalReport = ({ Untagged: string } | { Deleted: string })[];

export interface RemoveOptions {
  force: boolean;
  /** IDs of the containers created from an image. */
  usedBy: (imageId: string) => string[];
}

function namesATag(images: ImageStore, ref: string, image: Image): string | undefined {
  try {
    const parsed = parseReference(ref);
    const name = parsed.digest !== undefined ? `${parsed.repo}@${parsed.digest}` : formatReference(parsed);
    return image.repoTags.includes(name) || image.repoDigests.includes(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

export function removeImage(images: ImageStore, ref: string, options: RemoveOptions): RemovalReport {
  const image = images.resolve(ref);
  const tag = namesATag(images, ref, image);
  const report: RemovalReport = [];
  if (tag && (image.repoTags.length > 1 || (image.repoDigests.includes(tag) && image.repoTags.length > 0))) {
    return [{ Untagged: images.untag(tag) }];
  }
  if (!tag && image.repoTags.length > 1 && !options.force) {
    throw new ConflictError(`conflict: unable to delete ${shortId(image.id)} (must be forced) - image is referenced in multiple repositories`);
  }
  const users = options.usedBy(image.id);
  if (users.length > 0 && !options.force) {
    throw new ConflictError(
      tag
        ? `conflict: unable to remove repository reference "${ref}" (must force) - container ${shortId(users[0])} is using its referenced image ${shortId(image.id)}`
        : `conflict: unable to delete ${shortId(image.id)} (must be forced) - image is being used by container ${shortId(users[0])}`,
    );
  }
  if (images.children(image.id).length > 0) {
    if (tag) return [{ Untagged: images.untag(tag) }];
    throw new ConflictError(`conflict: unable to delete ${shortId(image.id)} (cannot be forced) - image has dependent child images`);
  }
  for (const name of [...image.repoTags, ...image.repoDigests]) report.push({ Untagged: images.untag(name) });
  // A forced rmi of an image in use only untags it: the container still needs its layers.
  if (users.length > 0) return report;
  deleteWithUnusedParents(images, image, options, report);
  return report;
}

function deleteWithUnusedParents(images: ImageStore, image: Image, options: RemoveOptions, report: RemovalReport): void {
  images.delete(image.id);
  report.push({ Deleted: image.id });
  for (const diffId of image.config.rootfs.diff_ids) {
    if (images.layerUsers(diffId) === 0 && images.layers.has(diffId)) {
      images.layers.remove(diffId);
      report.push({ Deleted: diffId });
    }
  }
  const parentId = image.config.parent;
  if (!parentId) return;
  let parent: Image;
  try {
    parent = images.get(parentId);
  } catch {
    return;
  }
  if (parent.repoTags.length === 0 && images.children(parent.id).length === 0 && options.usedBy(parent.id).length === 0) {
    deleteWithUnusedParents(images, parent, options, report);
  }
}
