import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { forEachTarget } from "../each-target.ts";

type DeleteResponseItem = { Untagged?: string; Deleted?: string };

export default defineBunkerCommand({
  name: "rmi",
  description: "Remove one or more images",
  usage: "[OPTIONS] IMAGE [IMAGE...]",
  flags: {
    force: { kind: "boolean", short: "f", description: "Force removal of the image" },
  },
  operands: { min: 1 },
  async run({ flags, operands, client }) {
    return forEachTarget(operands, async (name) => {
      const items = await client.json<DeleteResponseItem[]>("DELETE", `/images/${pathPart(name)}`, { query: { force: flags.force } });
      return items.map((item) => (item.Untagged !== undefined ? `Untagged: ${item.Untagged}` : `Deleted: ${item.Deleted}`)).join("\n");
    });
  },
});
