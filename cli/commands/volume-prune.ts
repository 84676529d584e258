import { defineBunkerCommand } from "../command.ts";
import { confirmed } from "../confirm.ts";
import { filtersQuery } from "../filters.ts";
import { PRUNE_FLAGS, printPruneReport } from "../prune-report.ts";

export default defineBunkerCommand({
  name: "prune",
  description: "Remove all unused local volumes",
  usage: "[OPTIONS]",
  flags: PRUNE_FLAGS,
  operands: { min: 0, max: 0 },
  async run({ flags, client }) {
    if (!flags.force && !(await confirmed("WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] "))) return 0;
    const report = await client.json<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }>("POST", "/volumes/prune", { query: { filters: filtersQuery(flags.filter) } });
    printPruneReport([["Deleted Volumes", report.VolumesDeleted ?? []]], report.SpaceReclaimed);
    return 0;
  },
});
