import { jsonMessages, pathPart, type ApiClient } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { renderTable } from "../render.ts";
import { formattedRows } from "../formatted.ts";
import { statsRow, type StatsJson, type StatsRow } from "../stats-row.ts";

const HEADER = ["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"];
const columns = (r: StatsRow) => [r.ID, r.Name, r.CPUPerc, r.MemUsage, r.MemPerc, r.NetIO, r.BlockIO, r.PIDs];

/** `--format 'table {{.Name}}\t{{.CPUPerc}}'` or a plain template; without one Docker's table. */
function renderer(format: string | undefined): (rows: StatsRow[]) => string {
  if (format === undefined || format === "table") return (rows) => renderTable(HEADER, rows.map(columns));
  return formattedRows<StatsRow>(format, { Container: "CONTAINER", ID: "CONTAINER ID", Name: "NAME", CPUPerc: "CPU %", MemUsage: "MEM USAGE / LIMIT", MemPerc: "MEM %", NetIO: "NET I/O", BlockIO: "BLOCK I/O", PIDs: "PIDS" });
}

async function containersToWatch(client: ApiClient, names: string[], all: boolean): Promise<string[]> {
  if (names.length > 0) return names;
  const list = await client.json<{ Id: string }[]>("GET", "/containers/json", { query: { all: all ? "1" : undefined } });
  return list.map((c) => c.Id.slice(0, 12));
}

export default defineBunkerCommand({
  name: "stats",
  description: "Display a live stream of container(s) resource usage statistics",
  usage: "[OPTIONS] [CONTAINER...]",
  flags: {
    all: { kind: "boolean", short: "a", description: "Show all containers (default shows just running)" },
    format: { kind: "string", description: "Pretty-print stats using a Go template", valueName: "string" },
    "no-stream": { kind: "boolean", description: "Disable streaming stats and only pull the first result" },
    "no-trunc": { kind: "boolean", description: "Do not truncate output" },
  },
  operands: { min: 0 },
  async run({ flags, operands, client }) {
    const render = renderer(flags.format);
    const targets = await containersToWatch(client, operands, flags.all);
    if (flags["no-stream"]) {
      const samples = await Promise.all(targets.map((name) => client.json<StatsJson>("GET", `/containers/${pathPart(name)}/stats`, { query: { stream: "0" } })));
      console.log(render(samples.map((sample, i) => statsRow(sample, targets[i], !flags["no-trunc"]))));
      return 0;
    }
    const latest = new Map<string, StatsRow>();
    const follow = async (name: string) => {
      const response = await client.request("GET", `/containers/${pathPart(name)}/stats`, { query: { stream: "1" } });
      for await (const sample of jsonMessages<StatsJson>(response)) latest.set(name, statsRow(sample, name, !flags["no-trunc"]));
    };
    const draw = () => {
      const rows = targets.flatMap((name) => latest.get(name) ?? []);
      // Clear and redraw on a terminal, as docker does; plain blocks otherwise.
      process.stdout.write(`${process.stdout.isTTY ? "\x1b[2J\x1b[H" : ""}${render(rows)}\n`);
    };
    const timer = setInterval(draw, 1000);
    try {
      await Promise.all(targets.map(follow));
    } finally {
      clearInterval(timer);
    }
    draw();
    return 0;
  },
});
