/** The prune filters containers and networks share: `until` (created before a timestamp or duration the CLI turned into one), `label`, `label!`. */
import { InvalidArgumentError } from "../../src/errors.ts";
import { goDurationMs } from "../../src/util/go-duration.ts";
import { labelMatches } from "./label.ts";

export function pruneFilterOf<T>(filters: Map<string, string[]>, facts: (item: T) => { created: string; labels: Record<string, string> | null | undefined }): (item: T) => boolean {
  for (const key of filters.keys()) if (!["until", "label", "label!"].includes(key)) throw new InvalidArgumentError(`invalid filter '${key}'`);
  // A timestamp, or a duration back from now (`24h`), as Docker's prune takes it.
  const until = (filters.get("until") ?? []).map((value) => {
    const ago = goDurationMs(value);
    const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : ago !== undefined ? Date.now() - ago : Date.parse(value);
    if (Number.isNaN(ms)) throw new InvalidArgumentError(`invalid filter 'until=${value}'`);
    return ms;
  });
  return (item) => {
    const { created, labels } = facts(item);
    return (
      until.every((limit) => Date.parse(created) < limit) &&
      (filters.get("label") ?? []).every((label) => labelMatches(labels, label)) &&
      (filters.get("label!") ?? []).every((label) => !labelMatches(labels, label))
    );
  };
}
