/**
 * `docker top`: the host's `ps` with the user's options, keeping the rows whose PID is one of
 * the container's processes, read from its cgroup (which nothing it starts can leave).
 */
import { ConflictError, EngineError, InvalidArgumentError } from "../errors.ts";
import type { ContainerRecord } from "./record.ts";

export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

const DEFAULT_PS_ARGS = "-ef";

/** `pids` are the container's processes, from its cgroups (ContainerService.pidsOf). */
export async function top(record: ContainerRecord, pids: Set<number>, psArgs = DEFAULT_PS_ARGS): Promise<TopResult> {
  if (record.State.Status !== "running") throw new ConflictError(`Container ${record.Id} is not running`);
  const ps = Bun.spawn(["ps", ...psArgs.split(/\s+/).filter(Boolean)], { stdout: "pipe", stderr: "pipe" });
  const [output, errors, code] = await Promise.all([new Response(ps.stdout).text(), new Response(ps.stderr).text(), ps.exited]);
  // ps refuses only its arguments, which are the client's (`top CONTAINER -bad`).
  if (code !== 0) throw new InvalidArgumentError(`Error running ps: exit status ${code}: ${errors.trim()}`);
  return parsePs(output, pids);
}

/** Docker's parsing: the last column (the command) keeps its spaces; the PID column decides membership. */
export function parsePs(output: string, pids: Set<number>): TopResult {
  const [header = "", ...lines] = output.split("\n");
  const titles = header.trim().split(/\s+/);
  const pidColumn = titles.indexOf("PID");
  if (pidColumn < 0) throw new EngineError("Couldn't find PID field in ps output");
  const processes: string[][] = [];
  for (const line of lines) {
    const fields = line.trim().split(/\s+/);
    if (line.trim() === "" || fields.length <= pidColumn || !pids.has(Number(fields[pidColumn]))) continue;
    processes.push([...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(" ")]);
  }
  return { Titles: titles, Processes: processes };
}
