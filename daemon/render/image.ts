/** Images in the Engine API's shapes: `/images/json` items, inspect and history. */
import type { Image } from "../../src/image/types.ts";
import type { ImageStore } from "../../src/image/image-store.ts";
import { CONTAINER_CONFIG_DEFAULTS, withoutEmpty } from "./docker-defaults.ts";

const unix = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** `repoTags`: the tags to show (a reference filter shows only those it matched). */
export function listItem(image: Image, repoTags = image.repoTags) {
  return {
    Containers: -1,
    Created: unix(image.config.created),
    Id: image.id,
    Labels: image.config.config.Labels ?? null,
    ParentId: image.config.parent ?? "",
    RepoDigests: image.repoDigests,
    RepoTags: repoTags,
    SharedSize: -1,
    Size: image.size,
    VirtualSize: image.size,
  };
}

export function inspect(image: Image) {
  const { config } = image;
  return {
    Id: image.id,
    RepoTags: image.repoTags,
    RepoDigests: image.repoDigests,
    Parent: config.parent ?? "",
    Comment: config.comment ?? "",
    Created: config.created,
    Container: config.container ?? "",
    ContainerConfig: { ...CONTAINER_CONFIG_DEFAULTS, ...config.config },
    DockerVersion: config.docker_version ?? "",
    Author: config.author ?? "",
    Config: withoutEmpty({ ...CONTAINER_CONFIG_DEFAULTS, ...config.config }, ["ExposedPorts", "StopSignal"]),
    Architecture: config.architecture,
    Os: config.os,
    Size: image.size,
    VirtualSize: image.size,
    GraphDriver: { Name: "overlay2", Data: null },
    RootFS: { Type: "layers", Layers: config.rootfs.diff_ids },
    Metadata: { LastTagTime: "0001-01-01T00:00:00Z" },
  };
}

/**
 * One row per history entry, newest first. Entries that added a layer carry that layer's
 * size; the newest entry carries the image's ID, older ones the ID of the parent image
 * when bunker has it, else "<missing>" (as Docker shows layers it did not build).
 */
export function history(images: ImageStore, image: Image) {
  const rows = [];
  const layers = [...image.config.rootfs.diff_ids];
  let current: Image | undefined = image;
  const entries = [...image.config.history].reverse();
  for (const entry of entries) {
    const layer = entry.empty_layer ? undefined : layers.pop();
    rows.push({
      Id: current?.id ?? "<missing>",
      Created: unix(entry.created),
      CreatedBy: entry.created_by ?? "",
      Tags: current?.repoTags ?? null,
      Size: layer ? images.layers.size(layer) : 0,
      Comment: entry.comment ?? "",
    });
    if (layer) current = current?.config.parent ? tryGet(images, current.config.parent) : undefined;
  }
  return rows;
}

function tryGet(images: ImageStore, id: string): Image | undefined {
  try {
    return images.get(id);
  } catch {
    return undefined;
  }
}
