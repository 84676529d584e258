/**
 * `commit`: a container's writable layer becomes a new image on top of the container's own.
 * The overlay upper dir is streamed as a layer tar (overlay whiteouts written as OCI ones)
 * straight into the layer store, which extracts it and names it by its digest; the new
 * config carries the container's run config, with the request's config and Dockerfile
 * changes over it, and one more history entry. Bunker's own mount points are left out.
 */
import { mkdirSync } from "node:fs";
import { applyChanges } from "../image/changes.ts";
import type { ImageStore } from "../image/image-store.ts";
import { mountLowers } from "../image/layer-store.ts";
import { withOverlayView } from "../image/overlay-view.ts";
import { packTree } from "../archive/pack-tree.ts";
import { normalizeRepoTag } from "../image/reference.ts";
import type { HistoryEntry, Image, ImageConfig, RunConfig } from "../image/types.ts";
import { bunkerMountPoints } from "./fs-diff.ts";
import type { ContainerRecord } from "./record.ts";

export interface CommitOptions {
  repo?: string;
  tag?: string;
  author?: string;
  comment?: string;
  /** Dockerfile instructions (CMD, ENV, ...) applied to the new image's run config. */
  changes?: string[];
  /** A run config given with the request (the API body, 2013's `commit -run`), over the container's. */
  config?: RunConfig;
  /** Freeze the container's processes while its layer is read, so the layer is one consistent moment. */
  pause: boolean;
  /**
   * A build step's commit: the image gets exactly this run config (not the container's, whose
   * Cmd is the step's command), `containerConfig` (the cache key lives there), and this history line.
   */
  build?: { config: RunConfig; containerConfig: RunConfig; createdBy: string };
}

export interface CommitContext {
  images: ImageStore;
  tmpDir: string;
  upperDir: string;
  /** Set while the container runs: freezes it, resolving with the thaw. */
  freeze?: () => Promise<() => void>;
}

export async function commitContainer(context: CommitContext, record: ContainerRecord, options: CommitOptions): Promise<Image> {
  const { images } = context;
  // Checked before any work, so a bad name or change fails fast and leaves no layer behind.
  const name = options.repo ? normalizeRepoTag(options.repo, options.tag) : undefined;
  const runConfig = options.build?.config ?? applyChanges(mergeRunConfig(options.config ?? {}, containerRunConfig(record)), options.changes ?? []);
  const parent = images.get(record.Image);
  // A container never started has no upper dir yet: its layer is empty.
  mkdirSync(context.upperDir, { recursive: true });

  const thaw = options.pause && context.freeze ? await context.freeze() : undefined;
  let diffId: string;
  try {
    const lowers = mountLowers(parent.config.rootfs.diff_ids);
    ({ diffId } = await withOverlayView(context.tmpDir, images.layers.layersDir, lowers, async (lowerRoot) => {
      const skip = await bunkerMountPoints(context.upperDir, lowerRoot);
      const tar = packTree(context.upperDir, { whiteouts: "oci", skip: (path) => skip.has(path) }) as AsyncIterable<Uint8Array>;
      return images.layers.register(tar, { whiteouts: "overlay" });
    }));
  } finally {
    thaw?.();
  }

  const created = new Date().toISOString();
  const entry: HistoryEntry = { created, created_by: options.build?.createdBy ?? [record.Path, ...record.Args].join(" ") };
  if (options.author) entry.author = options.author;
  if (options.comment) entry.comment = options.comment;
  const config: ImageConfig = {
    architecture: parent.config.architecture,
    os: parent.config.os,
    created,
    // A build step keeps what MAINTAINER set on the image it builds on.
    ...(options.author ? { author: options.author } : options.build && parent.config.author ? { author: parent.config.author } : {}),
    ...(options.comment ? { comment: options.comment } : {}),
    parent: parent.id,
    container: record.Id,
    config: runConfig,
    ...(options.build ? { container_config: options.build.containerConfig } : {}),
    rootfs: { type: "layers", diff_ids: [...parent.config.rootfs.diff_ids, diffId] },
    history: [...parent.config.history, entry],
  };
  const image = images.create(config);
  if (name) images.tag(image.id, name.repo, name.tag);
  return images.get(image.id);
}

/** What of the container's config an image carries; HOSTNAME is the container's own, set at each create. */
function containerRunConfig(record: ContainerRecord): RunConfig {
  const { User, Env, Cmd, Entrypoint, WorkingDir, ExposedPorts, Volumes, Labels, StopSignal, OnBuild } = record.Config;
  return {
    User,
    Env: (Env ?? []).filter((entry) => !entry.startsWith("HOSTNAME=")),
    Cmd,
    Entrypoint,
    WorkingDir,
    ExposedPorts: nonEmpty(ExposedPorts),
    Volumes: nonEmpty(Volumes),
    Labels: nonEmpty(Labels),
    ...(StopSignal ? { StopSignal } : {}),
    OnBuild: OnBuild ?? null,
  };
}

/**
 * Docker's merge of a commit's config over the container's: what the request sets wins,
 * environment variables merge by name, port, volume and label sets are unions.
 */
function mergeRunConfig(given: RunConfig, container: RunConfig): RunConfig {
  const givenEnv = given.Env ?? [];
  const givenKeys = new Set(givenEnv.map((entry) => entry.split("=", 1)[0]));
  return {
    ...container,
    User: given.User || container.User,
    Cmd: given.Cmd?.length ? given.Cmd : container.Cmd,
    Entrypoint: given.Entrypoint?.length ? given.Entrypoint : container.Entrypoint,
    WorkingDir: given.WorkingDir || container.WorkingDir,
    Env: [...(container.Env ?? []).filter((entry) => !givenKeys.has(entry.split("=", 1)[0])), ...givenEnv],
    ExposedPorts: nonEmpty({ ...container.ExposedPorts, ...given.ExposedPorts }),
    Volumes: nonEmpty({ ...container.Volumes, ...given.Volumes }),
    Labels: nonEmpty({ ...container.Labels, ...given.Labels }),
    ...(given.StopSignal ? { StopSignal: given.StopSignal } : {}),
  };
}

function nonEmpty<T extends object>(value: T | null | undefined): T | null {
  return value && Object.keys(value).length > 0 ? value : null;
}
