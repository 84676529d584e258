import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { forEachTarget } from "../each-target.ts";

export default defineBunkerCommand({
  name: "rm",
  description: "Remove one or more networks",
  usage: "NETWORK [NETWORK...]",
  flags: {},
  operands: { min: 1 },
  async run({ operands, client }) {
    return forEachTarget(operands, async (name) => {
      await client.request("DELETE", `/networks/${pathPart(name)}`);
      return name;
    });
  },
});
