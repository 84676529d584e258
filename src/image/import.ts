/**
 * `docker import`: a root filesystem tarball becomes a one-layer image. The tarball is a plain
 * tree, not a layer diff, so `.wh.` names in it are ordinary files and get no whiteout meaning.
 */
import { applyChanges } from "./changes.ts";
import type { ImageStore } from "./image-store.ts";
import { normalizeRepoTag } from "./reference.ts";
import type { Image, ImageConfig } from "./types.ts";

export interface ImportOptions {
  /** "name" or "name:tag" to tag the new image with. */
  repoTag?: string;
  /** The commit message; it replaces the default "Imported from <source>" comment. */
  message?: string;
  /** Dockerfile instructions (CMD, ENV, ...) applied to the run config. */
  changes?: string[];
  /** Where the tarball came from: "-" for the request body, or the URL it was fetched from. */
  source: string;
}

export async function importImage(
  images: ImageStore,
  tarball: AsyncIterable<Uint8Array>,
  options: ImportOptions,
  onProgress?: (inputBytes: number) => void,
): Promise<Image> {
  // Checked before the tarball is read, so bad input fails fast and leaves no orphan layer.
  const name = options.repoTag ? normalizeRepoTag(options.repoTag) : undefined;
  // Only what the changes say, as Docker's import: a container gets the default PATH at create.
  const runConfig = applyChanges({}, options.changes ?? []);
  const { diffId } = await images.layers.register(tarball, { whiteouts: "none", onProgress });
  const created = new Date().toISOString();
  const comment = options.message || `Imported from ${options.source}`;
  const config: ImageConfig = {
    architecture: "amd64",
    os: "linux",
    created,
    comment,
    config: runConfig,
    rootfs: { type: "layers", diff_ids: [diffId] },
    history: [{ created, created_by: "", comment }],
  };
  const image = images.create(config);
  if (name) images.tag(image.id, name.repo, name.tag);
  return images.get(image.id);
}
