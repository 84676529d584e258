import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { forEachTarget } from "../each-target.ts";

export default defineBunkerCommand({
  name: "wait",
  description: "Block until one or more containers stop, then print their exit codes",
  usage: "CONTAINER [CONTAINER...]",
  flags: {},
  operands: { min: 1 },
  async run({ operands, client }) {
    return forEachTarget(operands, async (name) => {
      const result = await client.json<{ StatusCode: number }>("POST", `/containers/${pathPart(name)}/wait`);
      return String(result.StatusCode);
    });
  },
});
