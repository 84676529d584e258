import { defineBunkerCommand } from "../command.ts";
import { registryAuthHeader } from "../docker-config.ts";
import { ellipsis, renderTable } from "../render.ts";
import { compileTemplate } from "../template.ts";
import { searchTarget } from "../../src/registry/search.ts";

interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
}

/** docker's search filters: is-official, is-automated, stars. */
const FILTER_KEYS = new Set(["is-official", "is-automated", "stars"]);

export default defineBunkerCommand({
  name: "search",
  description: "Search Docker Hub for images",
  usage: "[OPTIONS] TERM",
  flags: {
    filter: { kind: "list", short: "f", description: "Filter output based on conditions provided", valueName: "filter" },
    limit: { kind: "string", description: "Max number of search results", valueName: "int" },
    "no-trunc": { kind: "boolean", description: "Don't truncate output" },
    format: { kind: "string", description: "Pretty-print search using a Go template", valueName: "string" },
  },
  operands: { min: 1, max: 1 },
  async run({ flags, operands: [term], client }) {
    const filters: Record<string, Record<string, boolean>> = {};
    for (const filter of flags.filter) {
      const [key, value] = filter.split("=", 2);
      if (value === undefined || !FILTER_KEYS.has(key)) throw new Error(`invalid filter '${filter}'`);
      (filters[key] ??= {})[value] = true;
    }
    const results = await client.json<SearchResult[]>("GET", "/images/search", {
      query: { term, limit: flags.limit, filters: Object.keys(filters).length ? JSON.stringify(filters) : undefined },
      headers: { "X-Registry-Auth": registryAuthHeader(searchTarget(term).domain) },
    });
    if (flags.format !== undefined) {
      const render = compileTemplate(flags.format);
      for (const r of results) console.log(render({ Name: r.name, Description: r.description, StarCount: r.star_count, IsOfficial: r.is_official ? "[OK]" : "" }));
      return 0;
    }
    const rows = results.map((r) => {
      const description = r.description.replace(/\n/g, " ");
      return [r.name, flags["no-trunc"] ? description : ellipsis(description, 45), String(r.star_count), r.is_official ? "[OK]" : ""];
    });
    console.log(renderTable(["NAME", "DESCRIPTION", "STARS", "OFFICIAL"], rows));
    return 0;
  },
});
