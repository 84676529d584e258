import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { inspectEach } from "../inspect-each.ts";

export default defineBunkerCommand({
  name: "inspect",
  description: "Display detailed information on one or more networks",
  usage: "[OPTIONS] NETWORK [NETWORK...]",
  flags: {
    format: { kind: "string", short: "f", description: "Format the output using the given Go template", valueName: "string" },
  },
  operands: { min: 1 },
  run({ flags, operands, client }) {
    return inspectEach(client, operands, (name) => `/networks/${pathPart(name)}`, "network", flags.format);
  },
});
