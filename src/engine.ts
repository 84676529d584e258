/**
 * The engine: image and container stores under one root, opened and reconciled at daemon
 * start. Knows nothing of HTTP; the daemon translates the API onto it.
 *
 * Layout under the root:
 *   layers/<diffhex>/diff   extracted layers, content-addressed; layers/l/<16hex> short links
 *   images/<hex>.json       image configs, named by their sha256 (the image ID)
 *   repositories.json       tags
 *   containers/<id>/        config.json, json log, overlay upper/work dirs, stdio pipes
 *   volumes/<id>/           volume.json, and _data: what containers mount
 *   repo-digests.json       registry digests of pulled and pushed images
 *   layer-sources/          which registry blobs each layer is (push reuses them)
 *   build-notes/            per-file digests of COPY/ADD steps (explains cache misses)
 *   tmp/                    half-made layers, removed at start
 */
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { ImageStore } from "./image/image-store.ts";
import { importImage, type ImportOptions } from "./image/import.ts";
import { removeImage, type RemovalReport } from "./image/remove-image.ts";
import { pruneImages, type PruneReport } from "./image/prune.ts";
import { detachLeftoverViews, withOverlayView } from "./image/overlay-view.ts";
import type { Image } from "./image/types.ts";
import { ContainerService } from "./container/service.ts";
import { ContainerStore } from "./container/store.ts";
import { ContainerCgroups } from "./cgroup/container-cgroups.ts";
import { ExecService } from "./exec/exec-service.ts";
import { VolumeService } from "./volume/volume-service.ts";
import { EventBus } from "./events/event-bus.ts";
import { ContainerLayers } from "./container/container-layers.ts";
import { Reaper } from "./container/reaper.ts";
import { VolumeStore, type Volume } from "./volume/store.ts";
import { treeSize } from "./container/tree-size.ts";
import type { ContainerRecord } from "./container/record.ts";
import { insertFile, type InsertProgress } from "./image/insert.ts";
import { loadImages, type LoadedImage } from "./image/load.ts";
import { saveImages } from "./image/save.ts";
import { ContainerFiles } from "./container/files.ts";
import { RootfsViews } from "./container/rootfs-views.ts";
import { Networks } from "./network/networks.ts";
import { NetworkService } from "./network/network-service.ts";
import { Distribution } from "./image/distribution.ts";
import { pullAllTags, pullImage, type PullResult } from "./image/pull.ts";
import { pushImage, type PushedTag } from "./image/push.ts";
import { formatReference, parseReference, remoteRepository, type ImageReference } from "./image/reference.ts";
import { login } from "./registry/login.ts";
import { searchImages, type SearchOptions, type SearchResult } from "./registry/search.ts";
import { build, type BuildBackend, type BuildOptions, type BuildOutput } from "./build/builder.ts";
import { BuildContext } from "./build/context.ts";
import { fetchRemoteContext } from "./build/remote-context.ts";
import { CacheNotes } from "./build/cache-notes.ts";
import { mountLowers } from "./image/layer-store.ts";
import { NotFoundError } from "./errors.ts";
import { DEFAULT_REGISTRY_OPTIONS, type Credentials, type ProgressSink, type RegistryOptions } from "./registry/types.ts";

export interface DiskUsage {
  layersSize: number;
  images: { image: Image; containers: number }[];
  containers: { record: ContainerRecord; SizeRw: number; SizeRootFs: number }[];
  volumes: { volume: Volume; size: number; refCount: number }[];
}

export interface EngineOptions {
  root: string;
  debug: boolean;
  /** The bridge to attach containers to, or "none". */
  bridge: string;
  bip?: string;
  /** Insecure registries, mirrors, certs.d and transfer limits (Docker's defaults when absent). */
  registry?: RegistryOptions;
  /** Where containers' cgroups go in every hierarchy (default `bunker`). */
  cgroupParent?: string;
  /** Nameservers for containers that set none (`--dns` of the daemon). */
  dns?: string[];
  /** `--api-cors-header`: the origin browsers may call the API from. */
  corsOrigin?: string;
}

export class Engine {
  readonly images: ImageStore;
  readonly containers: ContainerService;
  readonly execs: ExecService;
  readonly volumes: VolumeService;
  /** What happened, for `GET /events`. */
  readonly events = new EventBus();
  /** diff, commit and export: a container's filesystem as layers. */
  readonly layers: ContainerLayers;
  /** `cp`: the files of running and stopped containers. */
  readonly files: ContainerFiles;
  readonly #containerStore: ContainerStore;
  readonly #volumes: VolumeStore;
  readonly #networks: Networks;
  /** `network create|ls|inspect|rm|prune`. */
  readonly networks: NetworkService;
  readonly distribution: Distribution;
  readonly #cacheNotes: CacheNotes;

  private constructor(readonly options: EngineOptions) {
    mkdirSync(options.root, { recursive: true, mode: 0o711 });
    this.images = new ImageStore(options.root);
    this.distribution = new Distribution(options.root, options.registry ?? DEFAULT_REGISTRY_OPTIONS, this.images);
    this.#cacheNotes = new CacheNotes(options.root);
    this.#containerStore = new ContainerStore(join(options.root, "containers"));
    const reaper = new Reaper();
    reaper.enable();
    this.#volumes = new VolumeStore(join(options.root, "volumes"));
    this.#networks = Networks.open({ root: options.root, bridge: options.bridge, bip: options.bip, dns: options.dns ?? [] });
    this.networks = new NetworkService(this.#networks, this.events);
    this.containers = new ContainerService(this.#containerStore, this.images, reaper, this.#volumes, this.#networks, new ContainerCgroups(options.cgroupParent), this.events, { defaultDns: options.dns ?? [] });
    this.execs = new ExecService(this.containers, reaper);
    this.volumes = new VolumeService(this.#volumes, () => this.containers.list(), this.events);
    this.containers.onRemoval((id) => this.execs.forgetContainer(id));
    this.layers = new ContainerLayers(options.root, this.containers, this.images, (record) => this.containerDir(record));
    this.files = new ContainerFiles(this.containers, new RootfsViews(this.containers, this.images, (record) => this.containerDir(record)));
  }

  /** Opens the root and repairs what a crash may have left: half-made layers and volumes, containers that died unseen. */
  static open(options: EngineOptions): Engine {
    const engine = new Engine({ ...options, root: resolve(options.root) });
    detachLeftoverViews(join(engine.options.root, "tmp"));
    engine.images.layers.cleanupTemp();
    engine.images.layers.ensureLinks();
    engine.images.load();
    engine.#removeOrphanLayers();
    engine.#volumes.load();
    engine.#containerStore.load();
    engine.containers.restore();
    return engine;
  }

  /** A stable identity for `info`, derived from the root so it survives restarts. */
  get id(): string {
    return createHash("sha256").update(this.options.root).digest("hex").slice(0, 32);
  }

  containerDir(record: ContainerRecord): string {
    return this.#containerStore.dirOf(record.Id);
  }

  counts(): { containers: number; running: number; paused: number; images: number } {
    const all = this.containers.list();
    const paused = all.filter((r) => r.State.Status === "running" && r.State.Paused).length;
    return { containers: all.length, running: all.filter((r) => r.State.Status === "running").length - paused, paused, images: this.images.list().length };
  }

  /** The registry settings now in force (reloaded on SIGHUP). */
  get registryOptions(): RegistryOptions {
    return this.distribution.options;
  }

  /** SIGHUP: new mirrors, insecure registries and transfer limits, without a restart. */
  reloadRegistryOptions(options: RegistryOptions): void {
    this.distribution.reconfigure(options);
  }

  /** Where a volume's data is on the host (`Mountpoint`). */
  volumeDataPath(name: string): string {
    return this.#volumes.dataPath(name);
  }

  /**
   * `system df`: what images, containers and volumes take on disk, and what is in use. Image
   * sizes count each layer once overall (LayersSize); a volume is in use while a container
   * names it.
   */
  async diskUsage(): Promise<DiskUsage> {
    const records = this.containers.list();
    const usedImages = new Map<string, number>();
    for (const record of records) usedImages.set(record.Image, (usedImages.get(record.Image) ?? 0) + 1);
    const layerSizes = new Map<string, number>();
    for (const image of this.images.list()) for (const diffId of image.config.rootfs.diff_ids) layerSizes.set(diffId, this.images.layers.size(diffId));
    const containers = await Promise.all(records.map(async (record) => ({ record, ...(await this.layers.sizes(record)) })));
    const volumeRefs = new Map<string, number>();
    for (const record of records) for (const mount of record.Mounts) if (mount.Type === "volume") volumeRefs.set(mount.Name, (volumeRefs.get(mount.Name) ?? 0) + 1);
    const volumes = await Promise.all(this.#volumes.list().map(async (volume) => ({ volume, size: await treeSize(this.#volumes.dataPath(volume.Name)), refCount: volumeRefs.get(volume.Name) ?? 0 })));
    return {
      layersSize: [...layerSizes.values()].reduce((sum, size) => sum + size, 0),
      images: this.images.list().map((image) => ({ image, containers: usedImages.get(image.id) ?? 0 })),
      containers,
      volumes,
    };
  }

  readonly #warnings: string[] = [];

  /** A warning for `info` (the daemon's: an API on a public address without TLS). */
  warn(text: string): void {
    this.#warnings.push(text);
  }

  /** What `info` warns of: missing networking (forwarding, nf_tables, DNS servers), the daemon's own warnings. */
  warnings(): string[] {
    return [...this.#warnings, ...this.#networks.warnings];
  }

  async importImage(tarball: AsyncIterable<Uint8Array>, options: ImportOptions, onProgress?: (bytes: number) => void): Promise<Image> {
    const image = await importImage(this.images, tarball, options, onProgress);
    this.events.emit("image", "import", image.id);
    return image;
  }

  /** `tag`: `repo[:tag]` names the image `ref` resolves to. */
  tagImage(ref: string, repo: string, tag: string | undefined): void {
    const image = this.images.resolve(ref);
    this.images.tag(image.id, repo, tag);
    this.events.emit("image", "tag", image.id, { name: `${repo}:${tag ?? "latest"}` });
  }

  /** `save`: the images as one docker-archive tar stream; unknown names fail before it starts. */
  saveImages(names: string[]): AsyncIterable<Uint8Array> {
    const archive = saveImages(this.images, names);
    for (const name of names) this.events.emit("image", "save", this.images.resolve(name).id, { name });
    return archive;
  }

  async loadImages(archive: AsyncIterable<Uint8Array>): Promise<LoadedImage[]> {
    const loaded = await loadImages(this.images, archive);
    for (const image of loaded) this.events.emit("image", "load", image.id, image.repoTags.length ? { name: image.repoTags[0] } : {});
    return loaded;
  }

  /** `insert` (2013): a file fetched from `url` added at `path` as a new layer on `ref`. */
  insertFile(ref: string, url: string, path: string, onProgress: (progress: InsertProgress) => void): Promise<Image> {
    return insertFile(this.images, join(this.options.root, "tmp"), ref, url, path, onProgress);
  }

  removeImage(ref: string, force: boolean): RemovalReport {
    const report = removeImage(this.images, ref, { force, usedBy: (imageId) => this.#usedBy(imageId) });
    for (const entry of report) {
      if ("Untagged" in entry) this.events.emit("image", "untag", entry.Untagged, { name: entry.Untagged });
      else this.events.emit("image", "delete", entry.Deleted, { name: entry.Deleted });
    }
    return report;
  }

  /** `eligible`: which dangling images the request's filters allow to go. */
  pruneImages(eligible: (image: Image) => boolean = () => true): PruneReport {
    return pruneImages(this.images, (imageId) => this.#usedBy(imageId), eligible);
  }

  /** `pull`: one tag or digest, or with `allTags` every tag of the repository. */
  async pull(ref: ImageReference, credentials: Credentials, progress: ProgressSink, allTags = false): Promise<PullResult[]> {
    const results = allTags ? await pullAllTags(this.distribution, ref.repo, credentials, progress) : [await pullImage(this.distribution, ref, credentials, progress)];
    // Docker names the reference pulled (the repository alone for --all-tags).
    const name = allTags ? ref.repo : formatReference(ref);
    if (results.length > 0) this.events.emit("image", "pull", name, { name });
    return results;
  }

  async push(repo: string, tag: string | undefined, credentials: Credentials, progress: ProgressSink): Promise<PushedTag[]> {
    const pushed = await pushImage(this.distribution, repo, tag, credentials, progress);
    for (const entry of pushed) this.events.emit("image", "push", `${repo}:${entry.tag}`, { name: `${repo}:${entry.tag}` });
    return pushed;
  }

  /** Checks credentials against a registry; they are kept by the client (config.json), not here. */
  login(serverAddress: string, credentials: Credentials): Promise<void> {
    return login(this.distribution.transport, this.distribution.tokens, serverAddress, credentials);
  }

  search(term: string, credentials: Credentials, options: SearchOptions): Promise<SearchResult[]> {
    return searchImages(this.distribution.transport, this.distribution.tokens, term, credentials, options);
  }

  /** `build`: a Dockerfile in the context tar, run by the legacy builder; the context is unpacked once and removed after. */
  async build(source: { tar: AsyncIterable<Uint8Array> } | { remote: string }, options: BuildOptions, out: BuildOutput): Promise<Image> {
    const dir = join(this.options.root, "tmp", `build-${randomBytes(8).toString("hex")}`);
    try {
      const context =
        "tar" in source ? await BuildContext.extract(source.tar, join(dir, "context")) : BuildContext.at(await fetchRemoteContext(source.remote, join(dir, "context"), options.dockerfile));
      return await build(this.#buildBackend(), context, options, out);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  #buildBackend(): BuildBackend {
    const tmpDir = join(this.options.root, "tmp");
    return {
      images: this.images,
      tmpDir,
      layersDir: this.images.layers.layersDir,
      imageFor: async (name, say, { pull = false, credentials = {} }) => {
        if (!pull) {
          try {
            return this.images.resolve(name);
          } catch (error) {
            if (!(error instanceof NotFoundError)) throw error;
          }
        }
        const ref = parseReference(name);
        await this.pull(ref, credentials[remoteRepository(ref.repo).domain] ?? {}, (event) => say(`${event.id ? `${event.id}: ` : ""}${event.status}\n`));
        return this.images.resolve(name);
      },
      run: async (request, created, output) => {
        const record = this.containers.create(request);
        created(record.Id);
        const attachment = this.containers.attach(record.Id, (_stream, chunk) => output(chunk));
        try {
          await this.containers.start(record.Id);
          return { id: record.Id, code: await this.containers.wait(record.Id) };
        } catch (error) {
          // A step whose container could not even start leaves nothing behind.
          await this.containers.remove(record.Id, true);
          throw error;
        } finally {
          attachment.detach();
        }
      },
      commit: (containerId, buildStep) => this.layers.commit(containerId, { pause: false, build: buildStep }),
      remove: (containerId) => this.containers.remove(containerId, true),
      withImageRoot: (image, use) => withOverlayView(tmpDir, this.images.layers.layersDir, mountLowers(image.config.rootfs.diff_ids), use),
      addLayer: async (tar) => (await this.images.layers.register(tar, { whiteouts: "none" })).diffId,
      notes: this.#cacheNotes,
    };
  }

  /**
   * Layers no image has: what a pull, load or commit killed between registering a layer and
   * its image left. Images in use are never deleted, so no container needs such a layer.
   */
  #removeOrphanLayers(): void {
    // One pass over the images, not one per layer: this runs at every start.
    const used = this.images.layersInUse();
    for (const diffId of this.images.layers.list()) {
      if (!used.has(diffId)) {
        this.images.layers.remove(diffId);
        this.distribution.sources.remove(diffId);
      }
    }
  }

  /** IDs of the containers created from the image. */
  #usedBy(imageId: string): string[] {
    return this.containers.list().filter((r) => r.Image === imageId).map((r) => r.Id);
  }
}
