/**
 * `docker save`: images as one docker-archive tar, streamed.
 *
 *   <v1 id>/VERSION, json, layer.tar   one directory per layer, the layer's original tar
 *   <config hex>.json                  the config, the very bytes whose sha256 is the image ID
 *   manifest.json                      [{Config, RepoTags, Layers}]
 *   repositories                       {repo: {tag: <top v1 id>}}, for older loaders
 *
 * A layer tar's size must be in its header before its bytes, and the tar is re-created from
 * its record (../archive/tar-record.ts), whose length is known in advance: no temp copy, and never a
 * layer in memory. The replayed bytes are hashed on the way; should they not match the diff
 * ID the archive is cut short with an error rather than handed out wrong.
 */
import { createHash } from "node:crypto";
import { pack as tarPack, type Pack } from "tar-stream";
import { EngineError } from "../errors.ts";
import type { ImageStore } from "./image-store.ts";
import { parseReference } from "./reference.ts";
import { addEntry, PackClosedError, streamEntry } from "../archive/pack-entry.ts";
import type { Image } from "./types.ts";

interface SavedImage {
  image: Image;
  repoTags: string[];
}

const V1_EPOCH = new Date(0);

/** Resolves every name first, so a missing image fails the request before any byte is sent. */
export function saveImages(images: ImageStore, names: string[]): AsyncIterable<Uint8Array> {
  const selected = new Map<string, SavedImage>();
  for (const name of names) {
    const image = images.resolve(name);
    const saved = selected.get(image.id) ?? { image, repoTags: [] };
    const tag = taggedName(name, image);
    if (tag !== undefined && !saved.repoTags.includes(tag)) saved.repoTags.push(tag);
    selected.set(image.id, saved);
  }
  const pack = tarPack();
  writeArchive(pack, images, [...selected.values()]).then(
    () => pack.finalize(),
    (error: unknown) => {
      // Already destroyed: the client went away, and the writing failed only because of that.
      if (!pack.destroying) pack.destroy(error instanceof Error ? error : new Error(String(error)));
    },
  );
  return pack as AsyncIterable<Uint8Array>;
}

/** The tag a name meant, if it named one (an ID names none, as with docker). */
function taggedName(name: string, image: Image): string | undefined {
  try {
    const parsed = parseReference(name);
    const tag = `${parsed.repo}:${parsed.tag}`;
    return image.repoTags.includes(tag) ? tag : undefined;
  } catch {
    return undefined;
  }
}

async function writeArchive(pack: Pack, images: ImageStore, saved: SavedImage[]): Promise<void> {
  const manifest: Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }> = [];
  const repositories: Record<string, Record<string, string>> = {};
  const written = new Set<string>();
  for (const { image, repoTags } of saved) {
    const layers: string[] = [];
    let parent = "";
    for (const diffId of image.config.rootfs.diff_ids) {
      // Docker's v1 IDs chain each layer to its parents, so a layer shared by two images with
      // different bases gets two directories; the same chain is written once.
      const v1 = createHash("sha256").update(`${parent}\n${diffId}`).digest("hex");
      if (!written.has(v1)) {
        await writeLayer(pack, images, v1, parent, diffId, image);
        written.add(v1);
      }
      layers.push(`${v1}/layer.tar`);
      parent = v1;
    }
    const config = `${image.id.slice("sha256:".length)}.json`;
    await entry(pack, config, images.configBytes(image.id));
    manifest.push({ Config: config, RepoTags: repoTags.length > 0 ? repoTags : null, Layers: layers });
    for (const tag of repoTags) {
      const colon = tag.lastIndexOf(":");
      (repositories[tag.slice(0, colon)] ??= {})[tag.slice(colon + 1)] = parent;
    }
  }
  await entry(pack, "manifest.json", Buffer.from(JSON.stringify(manifest)));
  await entry(pack, "repositories", Buffer.from(JSON.stringify(repositories)));
}

async function writeLayer(pack: Pack, images: ImageStore, v1: string, parent: string, diffId: string, image: Image): Promise<void> {
  await addEntry(pack, { name: `${v1}/`, type: "directory", mode: 0o755, mtime: V1_EPOCH });
  await entry(pack, `${v1}/VERSION`, Buffer.from("1.0"));
  const json = { id: v1, ...(parent ? { parent } : {}), created: image.config.created, os: image.config.os };
  await entry(pack, `${v1}/json`, Buffer.from(JSON.stringify(json)));

  const size = await images.layers.tarSize(diffId);
  const hash = createHash("sha256");
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const chunk of images.layers.tar(diffId)) {
      hash.update(chunk);
      yield chunk;
    }
    if (`sha256:${hash.digest("hex")}` !== diffId) throw new EngineError(`layer ${diffId} no longer matches its digest: its files changed on disk`);
  }
  if (!(await streamEntry(pack, { name: `${v1}/layer.tar`, size, mode: 0o644, mtime: V1_EPOCH }, hashed()))) throw new PackClosedError();
}

function entry(pack: Pack, name: string, content: Buffer): Promise<void> {
  return addEntry(pack, { name, mode: 0o644, mtime: V1_EPOCH }, content);
}
