import { defineBunkerCommand } from "../command.ts";
import { filtersQuery } from "../filters.ts";
import { formattedRows } from "../formatted.ts";
import { renderTable } from "../render.ts";

interface VolumeRow {
  Driver: string;
  Name: string;
  Mountpoint: string;
  Scope: string;
  Labels: string;
}

export default defineBunkerCommand({
  name: "ls",
  description: "List volumes",
  usage: "[OPTIONS]",
  flags: {
    filter: { kind: "list", short: "f", description: "Provide filter values (e.g. 'dangling=true')", valueName: "filter" },
    format: { kind: "string", description: "Pretty-print volumes using a Go template", valueName: "string" },
    quiet: { kind: "boolean", short: "q", description: "Only display volume names" },
  },
  operands: { min: 0, max: 0 },
  async run({ flags, client }) {
    const { Volumes } = await client.json<{ Volumes: { Driver: string; Name: string; Mountpoint: string; Scope: string; Labels: Record<string, string> | null }[] | null }>("GET", "/volumes", {
      query: { filters: filtersQuery(flags.filter) },
    });
    const volumes = (Volumes ?? []).sort((a, b) => a.Name.localeCompare(b.Name));
    if (flags.quiet) {
      for (const volume of volumes) console.log(volume.Name);
      return 0;
    }
    if (flags.format !== undefined && flags.format !== "table") {
      const rows = volumes.map((v) => ({ ...v, Labels: Object.entries(v.Labels ?? {}).map(([k, l]) => `${k}=${l}`).join(",") }));
      console.log(formattedRows<VolumeRow>(flags.format, { Driver: "DRIVER", Name: "VOLUME NAME", Mountpoint: "MOUNTPOINT", Scope: "SCOPE", Labels: "LABELS" })(rows));
      return 0;
    }
    console.log(renderTable(["DRIVER", "VOLUME NAME"], volumes.map((volume) => [volume.Driver, volume.Name])));
    return 0;
  },
});
