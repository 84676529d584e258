/**
 * `docker load`: a docker-archive tar (as `docker save` writes it, manifest.json and all) into
 * the store. The outer tar is read once, as a stream: each `<dir>/layer.tar` is registered as
 * it passes (its OCI whiteouts becoming overlay ones), the small JSON files are kept, and once
 * the manifest is known each config is stored with its exact bytes, so the image ID is the
 * one it had where it was saved, and its layers are checked against the config's diff IDs.
 */
import { posix } from "node:path";
import { extract as tarExtract, type Extract, type Header } from "tar-stream";
import { InvalidArgumentError } from "../errors.ts";
import type { ImageStore } from "./image-store.ts";
import { normalizeRepoTag } from "./reference.ts";
import { asArchiveError } from "../archive/tar-extract.ts";

export interface LoadedImage {
  id: string;
  repoTags: string[];
  /** Tags that moved here from another image, with that image's ID (docker says so). */
  moved: Array<{ tag: string; from: string }>;
}

interface ManifestItem {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/** One archive member as the parser hands it over: its header and a stream of its bytes. */
type EntryStream = AsyncIterable<unknown> & { header: Header; resume(): void };

const LAYER_FILE = "layer.tar";
/** Configs and manifests are small; anything bigger that is not a layer is not ours to hold. */
const MAX_METADATA_BYTES = 16 << 20;

export async function loadImages(images: ImageStore, input: AsyncIterable<Uint8Array>): Promise<LoadedImage[]> {
  const layers = new Map<string, string>(); // "<dir>/layer.tar" -> diff ID
  const layerLinks = new Map<string, string>(); // "<dir>/layer.tar" -> the layer.tar it links to
  const files = new Map<string, Buffer>();
  const fresh: string[] = [];
  const extract = tarExtract();
  try {
    try {
      await readArchive(extract, input, async (entry) => {
        const name = posix.normalize(entry.header.name).replace(/^\.?\//, "");
        if (posix.basename(name) === LAYER_FILE && entry.header.type === "file") {
          const layer = await images.layers.register(entry as AsyncIterable<Uint8Array>, { whiteouts: "overlay" });
          layers.set(name, layer.diffId);
          if (layer.fresh) fresh.push(layer.diffId);
        } else if (posix.basename(name) === LAYER_FILE && entry.header.type === "symlink") {
          layerLinks.set(name, posix.join(posix.dirname(name), entry.header.linkname ?? ""));
          entry.resume();
        } else if (entry.header.type === "file" && !name.includes("/") && (entry.header.size ?? 0) <= MAX_METADATA_BYTES) {
          const chunks: Buffer[] = [];
          for await (const chunk of entry) chunks.push(chunk as Buffer);
          files.set(name, Buffer.concat(chunks));
        } else {
          entry.resume();
        }
      });
    } catch (error) {
      throw asArchiveError(error);
    }
    return storeImages(images, manifestOf(files), files, (path) => layers.get(layerLinks.get(path) ?? path));
  } finally {
    // Stops the feeding loop too, should a layer have failed half-way.
    extract.destroy();
    // Layers this archive brought that no image ended up using (a failure, or no manifest entry).
    for (const diffId of fresh) if (images.layerUsers(diffId) === 0) images.layers.remove(diffId);
  }
}

/** Feeds `input` to the parser with backpressure and hands each entry to `onEntry`, one at a time. */
async function readArchive(extract: Extract, input: AsyncIterable<Uint8Array>, onEntry: (entry: EntryStream) => Promise<void>): Promise<void> {
  const reading = (async () => {
    for await (const chunk of input) if (!extract.write(chunk)) await new Promise<void>((resolve) => extract.once("drain", () => resolve()));
    extract.end(undefined); // streamx types require an argument; undefined writes nothing
  })();
  reading.catch((error: unknown) => extract.destroy(error instanceof Error ? error : new Error(String(error))));
  for await (const entry of extract) await onEntry(entry);
  await reading;
}

function manifestOf(files: Map<string, Buffer>): ManifestItem[] {
  const bytes = files.get("manifest.json");
  if (!bytes) throw new InvalidArgumentError("invalid archive: no manifest.json (is this a `docker save` archive?)");
  const manifest = JSON.parse(bytes.toString("utf8")) as unknown;
  if (!Array.isArray(manifest)) throw new InvalidArgumentError("invalid archive: manifest.json is not a list");
  return manifest as ManifestItem[];
}

function storeImages(images: ImageStore, manifest: ManifestItem[], files: Map<string, Buffer>, layerAt: (path: string) => string | undefined): LoadedImage[] {
  const loaded: LoadedImage[] = [];
  for (const item of manifest) {
    const config = files.get(posix.normalize(item.Config));
    if (!config) throw new InvalidArgumentError(`invalid archive: config ${item.Config} is missing`);
    const expected = diffIdsOf(config);
    const actual = item.Layers.map((path) => layerAt(posix.normalize(path)));
    if (expected.length !== actual.length || expected.some((diffId, i) => diffId !== actual[i])) {
      throw new InvalidArgumentError(`invalid archive: the layers of ${item.Config} do not match its rootfs.diff_ids`);
    }
    const image = images.createFromBytes(config);
    const moved: LoadedImage["moved"] = [];
    const repoTags: string[] = [];
    for (const repoTag of item.RepoTags ?? []) {
      const { repo, tag } = normalizeRepoTag(repoTag);
      const previous = images.list().find((other) => other.repoTags.includes(`${repo}:${tag}`))?.id;
      if (previous !== undefined && previous !== image.id) moved.push({ tag: `${repo}:${tag}`, from: previous });
      repoTags.push(images.tag(image.id, repo, tag));
    }
    loaded.push({ id: image.id, repoTags, moved });
  }
  return loaded;
}

function diffIdsOf(config: Buffer): string[] {
  try {
    const diffIds = (JSON.parse(config.toString("utf8")) as { rootfs?: { diff_ids?: unknown } }).rootfs?.diff_ids;
    if (Array.isArray(diffIds)) return diffIds.map(String);
  } catch {
    // reported below
  }
  throw new InvalidArgumentError("invalid archive: an image config has no rootfs.diff_ids");
}
