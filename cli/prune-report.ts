/** What every `prune` prints, as docker does: each non-empty section of what went, then the space it gave back. */
import { humanSize } from "../src/util/human.ts";

export function printPruneReport(sections: [heading: string, items: string[]][], space: number): void {
  for (const [heading, items] of sections) if (items.length > 0) console.log([`${heading}:`, ...items, ""].join("\n"));
  console.log(`Total reclaimed space: ${humanSize(space)}`);
}
