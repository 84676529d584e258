import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { forEachTarget } from "../each-target.ts";
import { UsageError } from "../args.ts";
import { limitFlags, limitsFromFlags } from "../resource-flags.ts";
import { parseRestart } from "../container-config.ts";

export default defineBunkerCommand({
  name: "update",
  description: "Update configuration of one or more containers",
  usage: "[OPTIONS] CONTAINER [CONTAINER...]",
  flags: { ...limitFlags, restart: { kind: "string", description: "Restart policy to apply when a container exits", valueName: "string" } },
  operands: { min: 1 },
  async run({ flags, operands, client }) {
    const body: Record<string, unknown> = limitsFromFlags(flags);
    if (flags.restart !== undefined) body.RestartPolicy = parseRestart(flags.restart);
    if (Object.keys(body).length === 0) throw new UsageError("you must provide one or more flags when using this command");
    return forEachTarget(operands, async (name) => {
      await client.request("POST", `/containers/${pathPart(name)}/update`, { json: body });
      return name;
    });
  },
});
