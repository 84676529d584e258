/**
 * `GET /images/json` and `POST /images/prune` filters with Docker's semantics. A reference
 * filter matches tags, not images: an image is listed with only the tags that match.
 */
import { InvalidArgumentError } from "../../src/errors.ts";
import type { ImageStore } from "../../src/image/image-store.ts";
import type { Image } from "../../src/image/types.ts";
import { labelMatches } from "./label.ts";

/** Go's path.Match, as Docker matches references: `*` and `?` stop at `/`, `[...]` classes. */
export function globMatches(pattern: string, text: string): boolean {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "*") source += "[^/]*";
    else if (ch === "?") source += "[^/]";
    else if (ch === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) throw new InvalidArgumentError(`invalid reference filter: ${pattern}`);
      source += `[${pattern.slice(i + 1, end).replace(/^\^/, "^").replace(/\\/g, "\\\\")}]`;
      i = end;
    } else source += ch.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`).test(text);
}

/** `base` or `base:*` against `base:latest`: the name alone, or name and tag (reference.FamiliarMatch). */
function referenceMatches(pattern: string, tag: string): boolean {
  return globMatches(pattern, tag) || globMatches(pattern, tag.slice(0, tag.lastIndexOf(":")));
}

function created(image: Image): number {
  return Date.parse(image.config.created);
}

/** `until`: a unix time, an RFC 3339 time, or a Go duration back from now (`24h`, `10m`). */
function untilTime(value: string): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const duration = /^(\d+)(ns|us|ms|s|m|h)$/.exec(value);
  if (duration) {
    const unit = { ns: 1e-6, us: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 }[duration[2] as "s"];
    return Date.now() - Number(duration[1]) * unit;
  }
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new InvalidArgumentError(`invalid filter 'until=${value}'`);
  return time;
}

export interface ImageRow {
  image: Image;
  /** The tags to show: all of them, or those a reference filter matched. */
  repoTags: string[];
}

/** The images to list, each with the tags to show. */
export function filterImages(images: ImageStore, list: Image[], filters: Map<string, string[]>): ImageRow[] {
  for (const key of filters.keys()) {
    if (!["dangling", "label", "before", "since", "reference"].includes(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  }
  const dangling = filters.get("dangling");
  const labels = filters.get("label");
  const before = filters.get("before")?.map((ref) => created(images.resolve(ref)));
  const since = filters.get("since")?.map((ref) => created(images.resolve(ref)));
  const references = filters.get("reference");
  const rows: ImageRow[] = [];
  for (const image of list) {
    if (dangling && (image.repoTags.length === 0) !== dangling.includes("true")) continue;
    if (labels && !labels.every((label) => labelMatches(image.config.config.Labels, label))) continue;
    if (before && !before.some((time) => created(image) < time)) continue;
    if (since && !since.some((time) => created(image) > time)) continue;
    let repoTags = image.repoTags;
    if (references) {
      repoTags = repoTags.filter((tag) => references.some((pattern) => referenceMatches(pattern, tag)));
      if (repoTags.length === 0) continue;
    }
    rows.push({ image, repoTags });
  }
  return rows;
}

/** Which dangling images `prune` may take: `until`, `label` and `label!=` all honoured (the CLI sends `label!=k=v` as key `label!`). */
export function pruneFilter(filters: Map<string, string[]>): (image: Image) => boolean {
  for (const key of filters.keys()) {
    if (!["dangling", "until", "label", "label!"].includes(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  }
  const dangling = filters.get("dangling");
  // Without -a only dangling images go; pruning every unused image is not offered.
  if (dangling !== undefined && !dangling.includes("true")) throw new InvalidArgumentError("only dangling images can be pruned");
  const until = filters.get("until")?.map(untilTime);
  const labels = filters.get("label");
  const notLabels = filters.get("label!");
  return (image) => {
    if (until && !until.every((time) => created(image) < time)) return false;
    if (labels && !labels.every((label) => labelMatches(image.config.config.Labels, label))) return false;
    if (notLabels && notLabels.some((label) => labelMatches(image.config.config.Labels, label))) return false;
    return true;
  };
}
