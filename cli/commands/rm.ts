import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { forEachTarget } from "../each-target.ts";

export default defineBunkerCommand({
  name: "rm",
  description: "Remove one or more containers",
  usage: "[OPTIONS] CONTAINER [CONTAINER...]",
  flags: {
    force: { kind: "boolean", short: "f", description: "Force the removal of a running container (uses SIGKILL)" },
    volumes: { kind: "boolean", short: "v", description: "Remove anonymous volumes associated with the container" },
  },
  operands: { min: 1 },
  async run({ flags, operands, client }) {
    return forEachTarget(operands, async (name) => {
      await client.request("DELETE", `/containers/${pathPart(name)}`, { query: { force: flags.force, v: flags.volumes } });
      return name;
    });
  },
});
