import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";

export default defineBunkerCommand({
  name: "disconnect",
  description: "Disconnect a container from a network",
  usage: "[OPTIONS] NETWORK CONTAINER",
  flags: {
    force: { kind: "boolean", short: "f", description: "Force the container to disconnect from a network" },
  },
  operands: { min: 2, max: 2 },
  async run({ flags, operands: [network, container], client }) {
    await client.request("POST", `/networks/${pathPart(network)}/disconnect`, { json: { Container: container, Force: flags.force } });
    return 0;
  },
});
