import { jsonMessages } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { filtersQuery } from "../filters.ts";
import { parseSince } from "../since.ts";
import { compileTemplate } from "../template.ts";

interface EventJson {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> | null };
  time: number;
  timeNano: number;
  status?: string;
  id?: string;
  from?: string;
}

/** docker's line: `2024-01-02T15:04:05.123456789Z container die ID (exitCode=0, image=base, name=x)`. */
function eventLine(event: EventJson): string {
  const seconds = new Date(Math.floor(event.timeNano / 1e6)).toISOString().slice(0, 19);
  const nanos = String(event.timeNano % 1e9).padStart(9, "0");
  const attributes = Object.entries(event.Actor.Attributes ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`)
    .join(", ");
  return `${seconds}.${nanos}Z ${event.Type} ${event.Action} ${event.Actor.ID}${attributes ? ` (${attributes})` : ""}`;
}

export default defineBunkerCommand({
  name: "events",
  description: "Get real time events from the server",
  usage: "[OPTIONS]",
  flags: {
    filter: { kind: "list", short: "f", description: "Filter output based on conditions provided", valueName: "filter" },
    format: { kind: "string", description: "Format the output using the given Go template", valueName: "string" },
    since: { kind: "string", description: "Show all events created since timestamp", valueName: "string" },
    until: { kind: "string", description: "Stream events until this timestamp", valueName: "string" },
  },
  operands: { min: 0, max: 0 },
  async run({ flags, client }) {
    const template = flags.format === undefined ? undefined : compileTemplate(flags.format);
    const response = await client.request("GET", "/events", {
      query: {
        since: flags.since === undefined ? undefined : parseSince(flags.since),
        until: flags.until === undefined ? undefined : parseSince(flags.until),
        filters: filtersQuery(flags.filter),
      },
    });
    for await (const event of jsonMessages<EventJson>(response)) {
      // The template sees Docker's fields, old clients' `Status`, `ID` and `From` among them.
      console.log(template ? template({ ...event, Status: event.status, ID: event.id, From: event.from }) : eventLine(event));
    }
    return 0;
  },
});
