import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";

export default defineBunkerCommand({
  name: "connect",
  description: "Connect a container to a network",
  usage: "[OPTIONS] NETWORK CONTAINER",
  flags: {
    alias: { kind: "list", description: "Add network-scoped alias for the container", valueName: "strings" },
    ip: { kind: "string", description: "IPv4 address (e.g., 172.30.100.104)", valueName: "string" },
  },
  operands: { min: 2, max: 2 },
  async run({ flags, operands: [network, container], client }) {
    const EndpointConfig = { Aliases: flags.alias, ...(flags.ip ? { IPAMConfig: { IPv4Address: flags.ip } } : {}) };
    await client.request("POST", `/networks/${pathPart(network)}/connect`, { json: { Container: container, EndpointConfig } });
    return 0;
  },
});
