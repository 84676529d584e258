import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { forEachTarget } from "../each-target.ts";

export default defineBunkerCommand({
  name: "unpause",
  description: "Unpause all processes within one or more containers",
  usage: "CONTAINER [CONTAINER...]",
  flags: {},
  operands: { min: 1 },
  async run({ operands, client }) {
    return forEachTarget(operands, async (name) => {
      await client.request("POST", `/containers/${pathPart(name)}/unpause`);
      return name;
    });
  },
});
