import { shortId } from "../../src/util/ids.ts";
import { defineBunkerCommand } from "../command.ts";
import { createdAgo, formatNames, formatPorts, psCommand, renderTable, type PortBinding } from "../render.ts";
import { humanSize } from "../../src/util/human.ts";
import { filtersQuery } from "../filters.ts";

interface ContainerSummary {
  Id: string;
  Names: string[] | null;
  Image: string;
  Command: string;
  Created: number;
  Status: string;
  Ports: PortBinding[] | null;
  SizeRw?: number;
  SizeRootFs?: number;
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
    filter: { kind: "list", short: "f", description: "Filter output based on conditions provided", valueName: "filter" },
    size: { kind: "boolean", short: "s", description: "Display total file sizes" },
  },
  operands: { min: 0, max: 0 },
  async run({ flags, client }) {
    const limit = flags.latest ? 1 : flags.last;
    const containers = await client.json<ContainerSummary[]>("GET", "/containers/json", {
      // -l and -n look at every state, like docker.
      query: { all: flags.all || limit !== undefined, limit, size: flags.size, filters: filtersQuery(flags.filter) },
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
      // Docker's: the writable layer, then the whole root filesystem.
      ...(flags.size ? [`${humanSize(container.SizeRw ?? 0)} (virtual ${humanSize(container.SizeRootFs ?? 0)})`] : []),
    ]);
    console.log(renderTable(["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES", ...(flags.size ? ["SIZE"] : [])], rows));
    return 0;
  },
});
