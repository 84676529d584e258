/** What every `prune` prints, as docker does: each non-empty section of what went, then the space it gave back. */
import { humanSize } from "../src/util/human.ts";

/** The flags every `prune` takes. */
export const PRUNE_FLAGS = {
  force: { kind: "boolean", short: "f", description: "Do not prompt for confirmation" },
  filter: { kind: "list", description: "Provide filter values (e.g. 'until=<timestamp>')", valueName: "filter" },
} as const;

export function printPruneReport(sections: [heading: string, items: string[]][], space: number): void {
  for (const [heading, items] of sections) if (items.length > 0) console.log([`${heading}:`, ...items, ""].join("\n"));
  console.log(`Total reclaimed space: ${humanSize(space)}`);
}
