import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";

interface Change {
  Path: string;
  Kind: number;
}

/** The API's change kinds, in order: modified, added, deleted. */
const KIND_LETTERS = ["C", "A", "D"];

export default defineBunkerCommand({
  name: "diff",
  description: "Inspect changes to files or directories on a container's filesystem",
  usage: "CONTAINER",
  flags: {},
  operands: { min: 1, max: 1 },
  async run({ operands: [container], client }) {
    const changes = await client.json<Change[] | null>("GET", `/containers/${pathPart(container)}/changes`);
    for (const change of changes ?? []) console.log(`${KIND_LETTERS[change.Kind]} ${change.Path}`);
    return 0;
  },
});
