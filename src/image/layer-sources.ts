/**
 * Which registry blobs a layer is known to be, per diff ID: recorded when a pull verifies a
 * blob against its layer, and when a push uploads one. A push then asks the registry about a
 * known blob (HEAD) or mounts it from another repository instead of compressing the layer
 * again. Only blobs verified here are recorded, so a registry cannot poison the map.
 *
 *   ROOT/layer-sources/<diff hex>.json   [{digest, mediaType, size, domain, path}, …] newest first
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../util/atomic-write.ts";

export interface LayerSource {
  /** The compressed blob's digest. */
  digest: string;
  mediaType: string;
  size: number;
  /** Where it was seen: the registry host and repository path. */
  domain: string;
  path: string;
}

/** Docker keeps 50 per layer; older ones say little a newer one does not. */
const MAX_SOURCES = 50;
const DIFF_ID = /^sha256:([0-9a-f]{64})$/;

export class LayerSources {
  readonly #dir: string;

  constructor(root: string) {
    this.#dir = join(root, "layer-sources");
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
  }

  get(diffId: string): LayerSource[] {
    const file = this.#file(diffId);
    if (file === undefined || !existsSync(file)) return [];
    try {
      const stored = JSON.parse(readFileSync(file, "utf8")) as unknown;
      return Array.isArray(stored) ? stored.filter(isSource) : [];
    } catch {
      return []; // a torn or foreign file only costs a recompression
    }
  }

  add(diffId: string, source: LayerSource): void {
    const file = this.#file(diffId);
    if (file === undefined) return;
    const same = (s: LayerSource) => s.digest === source.digest && s.domain === source.domain && s.path === source.path;
    const sources = [source, ...this.get(diffId).filter((s) => !same(s))].slice(0, MAX_SOURCES);
    writeJsonAtomic(file, sources);
  }

  remove(diffId: string): void {
    const file = this.#file(diffId);
    if (file !== undefined) rmSync(file, { force: true });
  }

  #file(diffId: string): string | undefined {
    const hex = DIFF_ID.exec(diffId)?.[1];
    return hex === undefined ? undefined : join(this.#dir, `${hex}.json`);
  }
}

function isSource(value: unknown): value is LayerSource {
  const s = value as Partial<LayerSource> | null;
  return typeof s?.digest === "string" && typeof s.mediaType === "string" && typeof s.size === "number" && typeof s.domain === "string" && typeof s.path === "string";
}
