import { shortId } from "../../src/util/ids.ts";
import { defineBunkerCommand } from "../command.ts";
import { createdAgo, formatNames, formatPorts, goTime, psCommand, renderTable, type PortBinding } from "../render.ts";
import { humanSize } from "../../src/util/human.ts";
import { filtersQuery } from "../filters.ts";
import { formattedRows } from "../formatted.ts";

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
  State?: string;
  Labels?: Record<string, string> | null;
  Mounts?: { Name?: string; Source?: string }[] | null;
  NetworkSettings?: { Networks?: Record<string, unknown> | null };
}

/** A row's fields as docker's `ps --format` templates name them. */
interface PsRow {
  ID: string;
  Image: string;
  Command: string;
  CreatedAt: string;
  RunningFor: string;
  Ports: string;
  State: string;
  Status: string;
  Size: string;
  Names: string;
  Labels: string;
  Mounts: string;
  Networks: string;
}

const PS_HEADERS: PsRow = {
  ID: "CONTAINER ID", Image: "IMAGE", Command: "COMMAND", CreatedAt: "CREATED AT", RunningFor: "CREATED", Ports: "PORTS",
  State: "STATE", Status: "STATUS", Size: "SIZE", Names: "NAMES", Labels: "LABELS", Mounts: "MOUNTS", Networks: "NETWORKS",
};



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
    format: { kind: "string", description: "Pretty-print containers using a Go template", valueName: "string" },
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
    const size = (c: ContainerSummary) => `${humanSize(c.SizeRw ?? 0)} (virtual ${humanSize(c.SizeRootFs ?? 0)})`;
    if (flags.format !== undefined && flags.format !== "table") {
      const render = formattedRows<PsRow>(flags.format, PS_HEADERS);
      console.log(
        render(
          containers.map((c) => ({
            ID: id(c.Id),
            Image: truncate && c.Image.startsWith("sha256:") ? shortId(c.Image) : c.Image,
            Command: psCommand(c.Command, truncate),
            CreatedAt: goTime(c.Created),
            RunningFor: createdAgo(c.Created),
            Ports: formatPorts(c.Ports),
            State: c.State ?? "",
            Status: c.Status,
            Size: size(c),
            Names: formatNames(c.Names),
            Labels: Object.entries(c.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(","),
            Mounts: (c.Mounts ?? []).map((m) => m.Name ?? m.Source ?? "").join(","),
            Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).join(","),
          })),
        ),
      );
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
      ...(flags.size ? [size(container)] : []),
    ]);
    console.log(renderTable(["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES", ...(flags.size ? ["SIZE"] : [])], rows));
    return 0;
  },
});
