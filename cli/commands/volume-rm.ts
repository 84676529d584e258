import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { forEachTarget } from "../each-target.ts";

export default defineBunkerCommand({
  name: "rm",
  description: "Remove one or more volumes",
  usage: "[OPTIONS] VOLUME [VOLUME...]",
  flags: {
    force: { kind: "boolean", short: "f", description: "Force the removal of one or more volumes" },
  },
  operands: { min: 1 },
  async run({ flags, operands, client }) {
    return forEachTarget(operands, async (name) => {
      await client.request("DELETE", `/volumes/${pathPart(name)}`, { query: { force: flags.force } });
      return name;
    });
  },
});
