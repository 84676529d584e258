import { humanSize } from "../../src/util/human.ts";
import { defineBunkerCommand } from "../command.ts";
import { confirmed } from "../confirm.ts";

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
    const deleted = report.ImagesDeleted ?? [];
    if (deleted.length > 0) {
      console.log("Deleted Images:");
      for (const item of deleted) console.log(item.Untagged !== undefined ? `untagged: ${item.Untagged}` : `deleted: ${item.Deleted}`);
      console.log("");
    }
    console.log(`Total reclaimed space: ${humanSize(report.SpaceReclaimed)}`);
    return 0;
  },
});
