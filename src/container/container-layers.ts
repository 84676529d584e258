/**
 * A container's filesystem as layers: what it changed (diff), that change as a new image
 * (commit), and the whole merged tree as a tar (export). Each reads the container's overlay
 * upper dir from the host, against a read-only view of its image's layers.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ImageStore } from "../image/image-store.ts";
import { containerLowers } from "./init-layer.ts";
import { withOverlayView } from "../image/overlay-view.ts";
import type { Image } from "../image/types.ts";
import { containerPaths } from "../start/1-prepare-rootfs.ts";
import { commitContainer, type CommitOptions } from "./commit.ts";
import { exportFilesystem } from "./export.ts";
import { bunkerMountPoints, containerChanges, type Change } from "./fs-diff.ts";
import type { ContainerRecord } from "./record.ts";
import type { ContainerService } from "./service.ts";
import { treeSize } from "./tree-size.ts";

export class ContainerLayers {
  readonly #tmpDir: string;

  constructor(
    root: string,
    private readonly containers: ContainerService,
    private readonly images: ImageStore,
    private readonly containerDir: (record: ContainerRecord) => string,
  ) {
    this.#tmpDir = join(root, "tmp");
  }

  /** `size=1`: the writable layer's bytes, and with the image's, the whole root filesystem's. */
  async sizes(record: ContainerRecord): Promise<{ SizeRw: number; SizeRootFs: number }> {
    const rw = await treeSize(this.#upperDir(record));
    let imageSize = 0;
    try {
      imageSize = this.images.get(record.Image).size;
    } catch {
      // Its image was force-removed: only the writable layer is left to count.
    }
    return { SizeRw: rw, SizeRootFs: rw + imageSize };
  }

  async changes(ref: string): Promise<Change[]> {
    const record = this.containers.get(ref);
    const upper = this.#upperDir(record);
    // A container never started has changed nothing.
    if (!existsSync(upper)) return [];
    return withOverlayView(this.#tmpDir, this.images.layers.layersDir, this.#lowers(record), async (lowerRoot) =>
      containerChanges(upper, lowerRoot, await bunkerMountPoints(upper, lowerRoot)),
    );
  }

  async commit(ref: string, options: CommitOptions): Promise<Image> {
    const record = this.containers.get(ref);
    const freeze = record.State.Status === "running" ? () => this.containers.resources.freezeBriefly(record) : undefined;
    const image = await commitContainer({ images: this.images, tmpDir: this.#tmpDir, upperDir: this.#upperDir(record), freeze }, record, options);
    this.containers.announce(record, "commit");
    return image;
  }

  export(ref: string): ReadableStream<Uint8Array> {
    const record = this.containers.get(ref);
    const upper = this.#upperDir(record);
    // A container never started is its image: its lowers alone, the first standing in as the top.
    const dirs = existsSync(upper) ? [upper, ...this.#lowers(record)] : this.#lowers(record);
    this.containers.announce(record, "export");
    return exportFilesystem(this.#tmpDir, this.images.layers.layersDir, dirs);
  }

  #upperDir(record: ContainerRecord): string {
    return containerPaths(this.containerDir(record)).upper;
  }

  /** The init layer, then the image's layers as short names relative to the layer store: top first. */
  #lowers(record: ContainerRecord): string[] {
    return containerLowers(this.containerDir(record), this.images.layers, this.images.get(record.Image).config.rootfs.diff_ids);
  }
}
