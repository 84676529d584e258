import { humanSize } from "../../src/util/human.ts";
import { shortId } from "../../src/util/ids.ts";
import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { createdAgo, ellipsis, renderTable } from "../render.ts";

interface HistoryRow {
  Id: string;
  Created: number;
  CreatedBy: string;
  Size: number;
  Comment: string;
}

/** Docker cuts CREATED BY to this many characters unless --no-trunc. */
const CREATED_BY_WIDTH = 45;

export default defineBunkerCommand({
  name: "history",
  description: "Show the history of an image",
  usage: "[OPTIONS] IMAGE",
  flags: {
    human: { kind: "boolean", short: "H", description: "Print sizes and dates in human readable format (default true)", defaultTrue: true },
    "no-trunc": { kind: "boolean", description: "Don't truncate output" },
    quiet: { kind: "boolean", short: "q", description: "Only show image IDs" },
  },
  operands: { min: 1, max: 1 },
  async run({ flags, operands: [image], client }) {
    const rows = await client.json<HistoryRow[]>("GET", `/images/${pathPart(image)}/history`);
    const truncate = !flags["no-trunc"];
    // "<missing>" stays as it is: those layers have no image of their own here.
    const id = (full: string) => (truncate && full.startsWith("sha256:") ? shortId(full) : full);
    if (flags.quiet) {
      for (const row of rows) console.log(id(row.Id));
      return 0;
    }
    const table = rows.map((row) => {
      const createdBy = row.CreatedBy.replaceAll("\t", " ");
      return [
        id(row.Id),
        flags.human ? createdAgo(row.Created) : new Date(row.Created * 1000).toISOString().replace(".000Z", "Z"),
        truncate ? ellipsis(createdBy, CREATED_BY_WIDTH) : createdBy,
        flags.human ? humanSize(row.Size) : String(row.Size),
        row.Comment,
      ];
    });
    console.log(renderTable(["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"], table));
    return 0;
  },
});
