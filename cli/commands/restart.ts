import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { forEachTarget } from "../each-target.ts";

export default defineBunkerCommand({
  name: "restart",
  description: "Restart one or more containers",
  usage: "[OPTIONS] CONTAINER [CONTAINER...]",
  flags: {
    time: { kind: "string", short: "t", aliases: ["timeout"], description: "Seconds to wait before killing the container to restart it", valueName: "int" },
  },
  operands: { min: 1 },
  async run({ flags, operands, client }) {
    // Without -t no `t` is sent, so the daemon's default grace period applies.
    return forEachTarget(operands, async (name) => {
      await client.request("POST", `/containers/${pathPart(name)}/restart`, { query: { t: flags.time } });
      return name;
    });
  },
});
