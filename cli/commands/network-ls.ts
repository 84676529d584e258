import { defineBunkerCommand } from "../command.ts";
import { filtersQuery } from "../filters.ts";
import { formattedRows } from "../formatted.ts";
import { renderTable } from "../render.ts";
import { shortId } from "../../src/util/ids.ts";

interface NetworkRow {
  ID: string;
  Name: string;
  Driver: string;
  Scope: string;
  Internal: string;
  Labels: string;
}

export default defineBunkerCommand({
  name: "ls",
  description: "List networks",
  usage: "[OPTIONS]",
  flags: {
    filter: { kind: "list", short: "f", description: "Provide filter values (e.g. 'driver=bridge')", valueName: "filter" },
    format: { kind: "string", description: "Pretty-print networks using a Go template", valueName: "string" },
    "no-trunc": { kind: "boolean", description: "Do not truncate the output" },
    quiet: { kind: "boolean", short: "q", description: "Only display network IDs" },
  },
  operands: { min: 0, max: 0 },
  async run({ flags, client }) {
    const listed = await client.json<{ Id: string; Name: string; Driver: string; Scope: string; Internal: boolean; Labels: Record<string, string> | null }[]>("GET", "/networks", {
      query: { filters: filtersQuery(flags.filter) },
    });
    const networks = listed.sort((a, b) => a.Name.localeCompare(b.Name));
    const id = (full: string) => (flags["no-trunc"] ? full : shortId(full));
    if (flags.quiet) {
      for (const network of networks) console.log(id(network.Id));
      return 0;
    }
    if (flags.format !== undefined && flags.format !== "table") {
      const rows = networks.map((n) => ({ ID: id(n.Id), Name: n.Name, Driver: n.Driver, Scope: n.Scope, Internal: String(n.Internal), Labels: Object.entries(n.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(",") }));
      console.log(formattedRows<NetworkRow>(flags.format, { ID: "NETWORK ID", Name: "NAME", Driver: "DRIVER", Scope: "SCOPE", Internal: "INTERNAL", Labels: "LABELS" })(rows));
      return 0;
    }
    console.log(renderTable(["NETWORK ID", "NAME", "DRIVER", "SCOPE"], networks.map((n) => [id(n.Id), n.Name, n.Driver, n.Scope])));
    return 0;
  },
});
