import { defineBunkerCommand } from "../command.ts";
import { confirmed } from "../confirm.ts";
import { filtersQuery } from "../filters.ts";
import { PRUNE_FLAGS } from "../prune-report.ts";

export default defineBunkerCommand({
  name: "prune",
  description: "Remove all unused networks",
  usage: "[OPTIONS]",
  flags: PRUNE_FLAGS,
  operands: { min: 0, max: 0 },
  async run({ flags, client }) {
    if (!flags.force && !(await confirmed("WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] "))) return 0;
    const report = await client.json<{ NetworksDeleted: string[] | null }>("POST", "/networks/prune", { query: { filters: filtersQuery(flags.filter) } });
    const deleted = report.NetworksDeleted ?? [];
    if (deleted.length > 0) console.log(["Deleted Networks:", ...deleted, ""].join("\n"));
    return 0;
  },
});
