import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { forEachTarget } from "../each-target.ts";

export default defineBunkerCommand({
  name: "kill",
  description: "Kill one or more running containers",
  usage: "[OPTIONS] CONTAINER [CONTAINER...]",
  flags: {
    signal: { kind: "string", short: "s", description: "Signal to send to the container (default KILL)", valueName: "string" },
  },
  operands: { min: 1 },
  async run({ flags, operands, client }) {
    // The API takes names without the SIG prefix (TERM, not SIGTERM) or numbers.
    const signal = flags.signal?.toUpperCase().replace(/^SIG/, "");
    return forEachTarget(operands, async (name) => {
      await client.request("POST", `/containers/${pathPart(name)}/kill`, { query: { signal } });
      return name;
    });
  },
});
