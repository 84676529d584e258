import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";

export default defineBunkerCommand({
  name: "rename",
  description: "Rename a container",
  usage: "CONTAINER NEW_NAME",
  flags: {},
  operands: { min: 2, max: 2 },
  async run({ operands: [container, name], client }) {
    await client.request("POST", `/containers/${pathPart(container)}/rename`, { query: { name } });
    return 0;
  },
});
