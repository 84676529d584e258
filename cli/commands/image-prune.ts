import { defineBunkerCommand } from "../command.ts";
import { confirmed } from "../confirm.ts";
import { printPruneReport } from "../prune-report.ts";

/** docker's lines for deleted images: `untagged: name` and `deleted: sha256:…`. */
export function imageLines(deleted: PruneReport["ImagesDeleted"]): string[] {
  return (deleted ?? []).map((item) => (item.Untagged !== undefined ? `untagged: ${item.Untagged}` : `deleted: ${item.Deleted}`));
}

interface PruneReport {
  ImagesDeleted: ({ Untagged?: string; Deleted?: string })[] | null;
  SpaceReclaimed: number;
}

export default defineBunkerCommand({
  name: "prune",
  description: "Remove unused images",
  usage: "[OPTIONS]",
  flags: {
    force: { kind: "boolean", short: "f", description: "Do not prompt for confirmation" },
  },
  operands: { min: 0, max: 0 },
  async run({ flags, client }) {
    if (!flags.force && !(await confirmed("WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] "))) return 0;
    const report = await client.json<PruneReport>("POST", "/images/prune", { query: { filters: JSON.stringify({ dangling: { true: true } }) } });
    printPruneReport([["Deleted Images", imageLines(report.ImagesDeleted)]], report.SpaceReclaimed);
    return 0;
  },
});
