/** Reading what a registry serves: image manifests (Docker schema 2, OCI) and indexes (Docker manifest list, OCI index). */
import { UpstreamError } from "../errors.ts";
import { isImageManifest, isIndex, layerCompression } from "./media-types.ts";
import type { Descriptor } from "./types.ts";

export interface ImageManifest {
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The media type a document declares, else the one the registry sent it under. */
export function manifestMediaType(bytes: Uint8Array, contentType: string): string {
  const declared = parseJson(bytes).mediaType;
  return typeof declared === "string" && declared !== "" ? declared : contentType;
}

/** The linux/amd64 entry of an index; attestation entries (platform unknown/unknown) never match. */
export function selectPlatform(bytes: Uint8Array, os = "linux", architecture = "amd64"): Descriptor {
  const manifests = parseJson(bytes).manifests;
  if (!Array.isArray(manifests)) throw new UpstreamError("invalid manifest list: no manifests");
  const candidates = manifests.filter(isDescriptor).filter((d) => isImageManifest(d.mediaType) || d.mediaType === undefined);
  const match = candidates.find((d) => d.platform?.os === os && d.platform?.architecture === architecture && d.annotations?.["vnd.docker.reference.type"] !== "attestation-manifest");
  if (!match) {
    const offered = candidates.map((d) => `${d.platform?.os ?? "?"}/${d.platform?.architecture ?? "?"}`).join(", ");
    throw new UpstreamError(`no matching manifest for ${os}/${architecture} in the manifest list entries (offered: ${offered || "none"})`);
  }
  return match;
}

export function parseImageManifest(bytes: Uint8Array, mediaType: string): ImageManifest {
  if (isIndex(mediaType)) throw new UpstreamError("expected an image manifest, got a manifest list");
  if (!isImageManifest(mediaType)) throw new UpstreamError(`unsupported manifest media type: ${mediaType || "none"} (schema 1 images are not supported)`);
  const doc = parseJson(bytes);
  if (!isDescriptor(doc.config)) throw new UpstreamError("invalid manifest: no config descriptor");
  if (!Array.isArray(doc.layers) || !doc.layers.every(isDescriptor)) throw new UpstreamError("invalid manifest: bad layers");
  for (const layer of doc.layers) {
    if (layerCompression(layer.mediaType) === undefined) throw new UpstreamError(`unsupported layer media type: ${layer.mediaType}`);
  }
  return { mediaType, config: doc.config, layers: doc.layers };
}

function isDescriptor(value: unknown): value is Descriptor {
  if (typeof value !== "object" || value === null) return false;
  const d = value as Partial<Descriptor>;
  return typeof d.digest === "string" && DIGEST.test(d.digest) && typeof d.size === "number" && Number.isSafeInteger(d.size) && d.size >= 0;
}

function parseJson(bytes: Uint8Array): Record<string, unknown> {
  try {
    const doc = JSON.parse(Buffer.from(bytes).toString("utf8")) as unknown;
    if (typeof doc === "object" && doc !== null && !Array.isArray(doc)) return doc as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new UpstreamError("invalid manifest: not a JSON object");
}
