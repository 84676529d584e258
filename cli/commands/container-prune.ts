import { defineBunkerCommand } from "../command.ts";
import { confirmed } from "../confirm.ts";
import { filtersQuery } from "../filters.ts";
import { PRUNE_FLAGS, printPruneReport } from "../prune-report.ts";

export default defineBunkerCommand({
  name: "prune",
  description: "Remove all stopped containers",
  usage: "[OPTIONS]",
  flags: PRUNE_FLAGS,
  operands: { min: 0, max: 0 },
  async run({ flags, client }) {
    if (!flags.force && !(await confirmed("WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] "))) return 0;
    const report = await client.json<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>("POST", "/containers/prune", { query: { filters: filtersQuery(flags.filter) } });
    printPruneReport([["Deleted Containers", report.ContainersDeleted ?? []]], report.SpaceReclaimed);
    return 0;
  },
});
