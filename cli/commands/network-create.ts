import { defineBunkerCommand } from "../command.ts";
import { labelsOf } from "../labels.ts";

export default defineBunkerCommand({
  name: "create",
  description: "Create a network",
  usage: "[OPTIONS] NETWORK",
  flags: {
    driver: { kind: "string", short: "d", description: 'Driver to manage the Network (default "bridge")', valueName: "string" },
    subnet: { kind: "string", description: "Subnet in CIDR format that represents a network segment", valueName: "strings" },
    gateway: { kind: "string", description: "IPv4 Gateway for the master subnet", valueName: "strings" },
    "ip-range": { kind: "string", description: "Allocate container ip from a sub-range", valueName: "strings" },
    internal: { kind: "boolean", description: "Restrict external access to the network" },
    attachable: { kind: "boolean", description: "Enable manual container attachment" },
    label: { kind: "list", description: "Set metadata on a network", valueName: "list" },
    opt: { kind: "list", short: "o", description: "Set driver specific options", valueName: "map" },
  },
  operands: { min: 1, max: 1 },
  async run({ flags, operands: [name], client }) {
    const ipam = flags.subnet || flags.gateway || flags["ip-range"] ? [{ Subnet: flags.subnet ?? "", Gateway: flags.gateway ?? "", IPRange: flags["ip-range"] ?? "" }] : [];
    const created = await client.json<{ Id: string }>("POST", "/networks/create", {
      json: {
        Name: name,
        CheckDuplicate: true,
        Driver: flags.driver ?? "bridge",
        Internal: flags.internal,
        Attachable: flags.attachable,
        IPAM: { Driver: "default", Config: ipam, Options: {} },
        Options: labelsOf(flags.opt),
        Labels: labelsOf(flags.label),
      },
    });
    console.log(created.Id);
    return 0;
  },
});
