import { shortId } from "../../src/util/ids.ts";
import { defineBunkerCommand } from "../command.ts";
import { createdAgo, formatNames, formatPorts, psCommand, renderTable, type PortBinding } from "../render.ts";

interface ContainerSummary {
  Id: string;
  Names: string[] | null;
  Image: string;
  Command: string;
  Created: number;
  Status: string;
  Ports: PortBinding[] | null;
}

export default defineBunkerCommand({
  name: "ps",
  description: "List containers",
  usage: "[OPTIONS]",
  flags: {
    all: { kind: "boolean", short: "a", description: "Show all containers (default shows just running)" },
    quiet: { kind: "boolean", short: "q", description: "Only display container IDs" },
    latest: { kind: "boolean", short: "l", description: "Show the latest created container (includes all states)" },
    last: { kind: "string", short: "n", description: "Show n last created containers (includes all states)", valueName: "int" },
    "no-trunc": { kind: "boolean", description: "Don't truncate output" },
  },
  operands: { min: 0, max: 0 },
  async run({ flags, client }) {
    const limit = flags.latest ? 1 : flags.last;
    const containers = await client.json<ContainerSummary[]>("GET", "/containers/json", {
      // -l and -n look at every state, like docker.
      query: { all: flags.all || limit !== undefined, limit },
    });
    const truncate = !flags["no-trunc"];
    const id = (full: string) => (truncate ? shortId(full) : full);
    if (flags.quiet) {
      for (const container of containers) console.log(id(container.Id));
      return 0;
    }
    const rows = containers.map((container) => [
      id(container.Id),
      truncate && container.Image.startsWith("sha256:") ? shortId(container.Image) : container.Image,
      psCommand(container.Command, truncate),
      createdAgo(container.Created),
      container.Status,
      formatPorts(container.Ports),
      formatNames(container.Names),
    ]);
    console.log(renderTable(["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"], rows));
    return 0;
  },
});
