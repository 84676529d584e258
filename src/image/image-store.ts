/**
 * Images and their tags. A config is stored as ROOT/images/<hex>.json, where hex is the sha256
 * of exactly those bytes, which makes it the image ID; tags live in ROOT/repositories.json as
 * short "repo:tag" -> ID, and the registry digests images were pulled or pushed under in
 * ROOT/repo-digests.json as "repo@sha256:…" -> ID. Everything is read into memory at startup and written through
 * atomically on change, so lookups never touch the disk.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { consola } from "consola";
import { InvalidArgumentError, NotFoundError } from "../errors.ts";
import { fsyncDir, writeFileAtomic, writeJsonAtomic } from "../util/atomic-write.ts";
import { IdIndex } from "../util/id-index.ts";
import { LayerStore } from "./layer-store.ts";
import { formatReference, normalizeRepoTag, parseReference, type ImageReference } from "./reference.ts";
import type { Image, ImageConfig } from "./types.ts";
import { NEVER } from "../util/timestamp.ts";

const CONFIG_FILE = /^([0-9a-f]{64})\.json$/;
const FULL_ID = /^(?:sha256:)?([0-9a-f]{64})$/;
const ID_PREFIX = /^(?:sha256:)?([0-9a-f]{1,64})$/;

interface StoredImage {
  config: ImageConfig;
  size: number;
}

export class ImageStore {
  private readonly imagesDir: string;
  private readonly repositoriesFile: string;
  private readonly repoDigestsFile: string;
  /** Keyed by the full ID, "sha256:<hex>". */
  private readonly images = new Map<string, StoredImage>();
  /** "repo:tag" -> full ID. */
  private readonly tags = new Map<string, string>();
  /** "repo@sha256:…" -> full ID. */
  private readonly repoDigests = new Map<string, string>();
  /** Over the bare hex of every ID, for prefix lookups. */
  private readonly ids = new IdIndex();
  /** Parent ID -> IDs of the images built on it: the build cache asks this at every step. */
  private readonly childIds = new Map<string, Set<string>>();

  constructor(
    root: string,
    readonly layers: LayerStore = new LayerStore(root),
  ) {
    this.imagesDir = join(root, "images");
    this.repositoriesFile = join(root, "repositories.json");
    this.repoDigestsFile = join(root, "repo-digests.json");
    mkdirSync(this.imagesDir, { recursive: true, mode: 0o700 });
  }

  /** Reads every stored image and tag; an image that cannot be used is skipped with a warning, not fatal. */
  load(): void {
    for (const name of readdirSync(this.imagesDir)) {
      const hex = CONFIG_FILE.exec(name)?.[1];
      if (hex === undefined) continue;
      const bytes = readFileSync(join(this.imagesDir, name));
      if (sha256Hex(bytes) !== hex) {
        consola.warn(`skipping image sha256:${hex}: its config does not match its ID`);
        continue;
      }
      const config = parseConfig(bytes);
      const missing = config.rootfs.diff_ids.find((diffId) => !this.layers.has(diffId));
      if (missing !== undefined) {
        consola.warn(`skipping image sha256:${hex}: its layer ${missing} is missing`);
        continue;
      }
      this.remember(`sha256:${hex}`, config);
    }
    for (const [file, map] of [[this.repositoriesFile, this.tags], [this.repoDigestsFile, this.repoDigests]] as const) {
      if (!existsSync(file)) continue;
      const stored = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
      for (const [name, id] of Object.entries(stored)) {
        if (this.images.has(id)) map.set(name, id);
        else consola.warn(`dropping reference ${name}: image ${id} is not present`);
      }
    }
  }

  /** Stores a config built here (import, commit); the same config yields the same image. */
  create(config: ImageConfig): Image {
    return this.createFromBytes(Buffer.from(JSON.stringify(config)));
  }

  /** Stores a config exactly as received (pull, load), so its ID matches the digest it came under. */
  createFromBytes(bytes: Uint8Array): Image {
    const id = `sha256:${sha256Hex(bytes)}`;
    if (this.images.has(id)) return this.get(id);
    const config = parseConfig(bytes);
    const missing = config.rootfs.diff_ids.find((diffId) => !this.layers.has(diffId));
    if (missing !== undefined) throw new NotFoundError(`layer does not exist: ${missing}`);
    writeFileAtomic(this.configPath(id), bytes);
    this.remember(id, config);
    return this.get(id);
  }

  has(id: string): boolean {
    const fullId = toFullId(id);
    return fullId !== undefined && this.images.has(fullId);
  }

  /** Every layer some image has. */
  layersInUse(): Set<string> {
    const used = new Set<string>();
    for (const { config } of this.images.values()) for (const diffId of config.rootfs.diff_ids) used.add(diffId);
    return used;
  }

  /** The config exactly as stored, whose sha256 is the image ID (`save` must hand out these bytes). */
  configBytes(id: string): Buffer {
    return readFileSync(this.configPath(this.get(id).id));
  }

  /** The image with this full ID ("sha256:<hex>" or bare hex). */
  get(id: string): Image {
    const fullId = toFullId(id);
    const stored = fullId === undefined ? undefined : this.images.get(fullId);
    if (fullId === undefined || stored === undefined) throw new NotFoundError(`No such image: ${id}`);
    return { id: fullId, config: stored.config, repoTags: this.tagsOf(fullId), repoDigests: namesOf(this.repoDigests, fullId), size: stored.size };
  }

  /** Every image, newest first, as `docker images` shows them. */
  list(): Image[] {
    return [...this.images.keys()].map((id) => this.get(id)).sort((a, b) => b.config.created.localeCompare(a.config.created));
  }

  /**
   * The image a user's reference means: a tag ("busybox", "docker.io/library/busybox:1",
   * "localhost:5000/a/b:1") or a unique ID prefix, with or without "sha256:". An exact tag
   * wins, so an image tagged "2" is found even when some ID starts with "2".
   */
  resolve(ref: string): Image {
    let parsed: ImageReference | undefined;
    let parseError: InvalidArgumentError | undefined;
    try {
      parsed = parseReference(ref);
    } catch (error) {
      if (!(error instanceof InvalidArgumentError)) throw error;
      parseError = error;
    }
    const tagged = parsed?.tag !== undefined && parsed.digest === undefined ? this.tags.get(formatReference(parsed)) : undefined;
    if (tagged !== undefined) return this.get(tagged);
    const pinned = parsed?.digest !== undefined ? this.repoDigests.get(`${parsed.repo}@${parsed.digest}`) : undefined;
    if (pinned !== undefined) return this.get(pinned);
    const byId = this.findByIdPrefix(ref);
    if (byId !== undefined) return this.get(byId);
    if (parsed !== undefined) throw new NotFoundError(`No such image: ${formatReference(parsed)}`);
    if (ID_PREFIX.test(ref)) throw new NotFoundError(`No such image: ${ref}`);
    throw parseError;
  }

  /** Points repo:tag at the image, moving the tag if another image had it (as `docker tag` does). Returns "repo:tag". */
  tag(id: string, repo: string, tag?: string): string {
    const image = this.get(id);
    const name = formatReference(normalizeRepoTag(repo, tag));
    // A tag already in place costs no write (and no fsync): a cached rebuild re-tags every time.
    if (this.tags.get(name) === image.id) return name;
    this.tags.set(name, image.id);
    this.saveTags();
    return name;
  }

  /** Removes one tag ("busybox" -> "busybox:latest") or digest reference ("bb@sha256:…") and returns its normalized name. */
  untag(ref: string): string {
    const parsed = parseReference(ref);
    if (parsed.digest !== undefined) {
      const name = `${parsed.repo}@${parsed.digest}`;
      if (!this.repoDigests.delete(name)) throw new NotFoundError(`No such image: ${name}`);
      this.saveDigests();
      return name;
    }
    const name = formatReference(parsed);
    if (!this.tags.delete(name)) throw new NotFoundError(`No such image: ${name}`);
    this.saveTags();
    return name;
  }

  /** Records that the registry holds the image as `repo@digest` (after a pull or a push): its RepoDigests. */
  addRepoDigest(id: string, repo: string, digest: string): void {
    const name = `${repo}@${digest}`;
    const image = this.get(id);
    if (this.repoDigests.get(name) === image.id) return;
    this.repoDigests.set(name, image.id);
    this.saveDigests();
  }

  tagsOf(id: string): string[] {
    return namesOf(this.tags, id);
  }

  /**
   * Forgets the image, with any tags still on it. Its layers stay: the caller removes those
   * that `layerUsers` then reports unused, as it alone knows whether containers need them.
   */
  delete(id: string): void {
    const image = this.get(id);
    const tags = this.tagsOf(image.id);
    for (const name of tags) this.tags.delete(name);
    if (tags.length > 0) this.saveTags();
    const digests = namesOf(this.repoDigests, image.id);
    for (const name of digests) this.repoDigests.delete(name);
    if (digests.length > 0) this.saveDigests();
    rmSync(this.configPath(image.id), { force: true });
    fsyncDir(this.imagesDir);
    this.images.delete(image.id);
    this.ids.delete(hexOf(image.id));
    if (image.config.parent) this.childIds.get(image.config.parent)?.delete(image.id);
  }

  /** Images built directly on this one (their `parent`); Docker refuses to delete an image that has any. */
  children(id: string): Image[] {
    const fullId = this.get(id).id;
    return [...(this.childIds.get(fullId) ?? [])].map((childId) => this.get(childId));
  }

  /** How many images have this layer. */
  layerUsers(diffId: string): number {
    let users = 0;
    for (const { config } of this.images.values()) if (config.rootfs.diff_ids.includes(diffId)) users++;
    return users;
  }

  private remember(id: string, config: ImageConfig): void {
    const size = config.rootfs.diff_ids.reduce((total, diffId) => total + this.layers.size(diffId), 0);
    this.images.set(id, { config, size });
    this.ids.add(hexOf(id));
    if (config.parent) {
      const siblings = this.childIds.get(config.parent) ?? new Set<string>();
      siblings.add(id);
      this.childIds.set(config.parent, siblings);
    }
  }

  private findByIdPrefix(ref: string): string | undefined {
    const prefix = ID_PREFIX.exec(ref)?.[1];
    if (prefix === undefined) return undefined;
    try {
      return `sha256:${this.ids.get(prefix)}`;
    } catch {
      // Like Docker, an ambiguous prefix finds no image rather than an error of its own.
      return undefined;
    }
  }

  private configPath(id: string): string {
    return join(this.imagesDir, `${hexOf(id)}.json`);
  }

  private saveTags(): void {
    writeJsonAtomic(this.repositoriesFile, Object.fromEntries([...this.tags].sort(([a], [b]) => a.localeCompare(b))));
  }

  private saveDigests(): void {
    writeJsonAtomic(this.repoDigestsFile, Object.fromEntries([...this.repoDigests].sort(([a], [b]) => a.localeCompare(b))));
  }
}

function namesOf(references: Map<string, string>, id: string): string[] {
  const names: string[] = [];
  for (const [name, target] of references) if (target === id) names.push(name);
  return names.sort();
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function toFullId(id: string): string | undefined {
  const hex = FULL_ID.exec(id)?.[1];
  return hex === undefined ? undefined : `sha256:${hex}`;
}

function hexOf(id: string): string {
  return id.slice("sha256:".length);
}

function parseConfig(bytes: Uint8Array): ImageConfig {
  let config: Partial<ImageConfig>;
  try {
    config = JSON.parse(Buffer.from(bytes).toString("utf8")) as Partial<ImageConfig>;
  } catch {
    throw new InvalidArgumentError("invalid image config: not JSON");
  }
  const diffIds = config.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || !diffIds.every((diffId) => typeof diffId === "string")) {
    throw new InvalidArgumentError("invalid image config: rootfs.diff_ids must be a list of layer digests");
  }
  return withDefaults(config, diffIds);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The parsed view of a config, every optional field there (the stored bytes, and so the ID, stay
 * as they came): a loaded or pulled config may lack `created`, `config` or `history`, and
 * nothing that lists images may break on one.
 */
function withDefaults(config: Partial<ImageConfig>, diffIds: string[]): ImageConfig {
  return {
    ...config,
    architecture: typeof config.architecture === "string" ? config.architecture : "amd64",
    os: typeof config.os === "string" ? config.os : "linux",
    created: typeof config.created === "string" && !Number.isNaN(Date.parse(config.created)) ? config.created : NEVER,
    config: isObject(config.config) ? config.config : {},
    rootfs: { type: "layers", diff_ids: diffIds },
    history: Array.isArray(config.history) ? config.history.filter(isObject).map((entry) => ({ ...entry, created: typeof entry.created === "string" ? entry.created : NEVER })) : [],
  };
}
