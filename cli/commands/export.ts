import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";

export default defineBunkerCommand({
  name: "export",
  description: "Export a container's filesystem as a tar archive",
  usage: "[OPTIONS] CONTAINER",
  flags: {
    output: { kind: "string", short: "o", description: "Write to a file, instead of STDOUT", valueName: "string" },
  },
  operands: { min: 1, max: 1 },
  async run({ flags, operands: [container], client }) {
    if (flags.output === undefined && process.stdout.isTTY) {
      throw new Error("cowardly refusing to save to a terminal. Use the -o flag or redirect");
    }
    const response = await client.request("GET", `/containers/${pathPart(container)}/export`);
    // Streamed to its destination as it arrives, never held whole.
    await Bun.write(flags.output === undefined ? Bun.stdout : Bun.file(flags.output), response);
    return 0;
  },
});
