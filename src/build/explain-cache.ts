/**
 * Why a build step missed the cache, in words: Docker says only that it ran the step
 * (moby#21913, #49631). The nearest candidate is the newest image built here on the same
 * parent by the same kind of instruction; what differs between its cache key and the step's
 * is the reason: the instruction text, a build argument, or the files of a COPY/ADD.
 */
import type { Image, RunConfig } from "../image/types.ts";
import { shortId } from "../util/ids.ts";

export interface MissContext {
  /** The image the step builds on; undefined for a first step on scratch. */
  parentId: string | undefined;
  /** Images built here on that parent. */
  children: Image[];
  probe: RunConfig;
  /** An earlier step of this stage missed already. */
  busted: boolean;
  /** The COPY/ADD step's files, and the candidate's as noted when it was built. */
  files?: Record<string, string>;
  notedFiles: (imageId: string) => Record<string, string> | undefined;
}

export function explainMiss(context: MissContext): string {
  if (context.busted) return "an earlier step ran, so this one runs too (its parent is a new image)";
  const parent = context.parentId ? shortId(context.parentId) : "scratch";
  if (context.children.length === 0) return `nothing was built on ${parent} here before`;
  const key = context.probe.Cmd ?? [];
  const kind = stepKind(key);
  const candidates = context.children.filter((image) => stepKind(image.config.container_config?.Cmd ?? []) === kind).sort((a, b) => b.config.created.localeCompare(a.config.created));
  const previous = candidates[0];
  if (!previous) return `the images built on ${parent} before had another instruction next (not ${kind})`;
  const previousKey = previous.config.container_config?.Cmd ?? [];
  if (kind === "COPY" || kind === "ADD") return filesReason(context.files, context.notedFiles(previous.id)) ?? `its sources changed since ${shortId(previous.id)}`;
  if (kind === "RUN") return runReason(key, previousKey);
  if (previousKey.join(" ") !== key.join(" ")) return `the instruction changed: it was "${nopText(previousKey)}"`;
  return `the run config it would start from changed since ${shortId(previous.id)}`;
}

function stepKind(key: string[]): string {
  const text = key.join(" ");
  const nop = /#\(nop\)\s+(\S+)/.exec(text);
  if (nop) return nop[1];
  return "RUN";
}

function nopText(key: string[]): string {
  return key.join(" ").replace(/^.*#\(nop\)\s+/, "");
}

/** RUN keys are `[|N K=V …] shell… command`: tell a changed command from a changed build argument. */
function runReason(key: string[], previous: string[]): string {
  const split = (words: string[]) => {
    const count = /^\|(\d+)$/.exec(words[0] ?? "")?.[1];
    const n = count === undefined ? 0 : Number(count);
    const args = new Map(words.slice(1, 1 + n).map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
    return { args, command: words.slice(n === 0 ? 0 : 1 + n).join(" ") };
  };
  const now = split(key);
  const before = split(previous);
  if (now.command !== before.command) return `the command changed: it was "${before.command}"`;
  for (const [name, value] of now.args) {
    if (!before.args.has(name)) return `build argument ${name} is new (${value})`;
    if (before.args.get(name) !== value) return `build argument ${name} changed: "${before.args.get(name)}" → "${value}"`;
  }
  for (const name of before.args.keys()) if (!now.args.has(name)) return `build argument ${name} is no longer set`;
  return "its environment changed";
}

function filesReason(now: Record<string, string> | undefined, before: Record<string, string> | undefined): string | undefined {
  if (!now || !before) return undefined;
  const changed = Object.keys(now).filter((name) => name in before && before[name] !== now[name]);
  const added = Object.keys(now).filter((name) => !(name in before));
  const removed = Object.keys(before).filter((name) => !(name in now));
  const parts = [
    ...changed.map((name) => `${name} changed`),
    ...added.map((name) => `${name} is new`),
    ...removed.map((name) => `${name} is gone`),
  ];
  return parts.length ? parts.slice(0, 5).join(", ") + (parts.length > 5 ? `, and ${parts.length - 5} more` : "") : undefined;
}
