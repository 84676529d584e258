/**
 * How a bunker command is declared: its flags (parsed by `args.ts`, which knows docker's `-it`
 * with values and the 2013 `-rm` spellings), operand counts and a `run`. This wrapper owns the
 * parts every command shares: `--help`, usage errors, operand counts, and turning a daemon
 * error into docker's one line on stderr plus the command's exit status.
 */
import type { ClientTls } from "./tls-settings.ts";
import { parseArgs, UsageError, type FlagDefs, type ParsedFlags } from "./args.ts";
import { ApiClient, DaemonUnreachableError, errorLine } from "./client.ts";

export interface CommandSpec<F extends FlagDefs> {
  name: string;
  description: string;
  /** What follows `bunker <name>` in the usage line, e.g. `[OPTIONS] CONTAINER [CONTAINER...]`. */
  usage: string;
  flags: F;
  operands: { min: number; max?: number };
  /** run/create: the first operand is the image and the rest is the container's command, flags and all. */
  stopAtFirstOperand?: boolean;
  /** Docker exits 125 when run/create themselves fail, 1 for other commands. */
  failureStatus?: number;
  run(input: { flags: ParsedFlags<F>; operands: string[]; client: ApiClient }): Promise<number>;
}

/** Where the daemon is, as the global options said: plain data, since each command is an entry point of its own. */
export interface Connection {
  host: string;
  debug: boolean;
  /** TLS to a tcp:// daemon (`--tlsverify`, DOCKER_CERT_PATH…). */
  tls?: ClientTls;
}

export interface BunkerCommand {
  meta: { name: string; description: string };
  run(rawArgs: string[], connection: Connection): Promise<number>;
}

export function defineBunkerCommand<const F extends FlagDefs>(spec: CommandSpec<F>): BunkerCommand {
  return {
    meta: { name: spec.name, description: spec.description },
    run: (rawArgs, connection) => execute(spec, rawArgs, connection),
  };
}

async function execute<F extends FlagDefs>(spec: CommandSpec<F>, rawArgs: string[], connection: Connection): Promise<number> {
  const failureStatus = spec.failureStatus ?? 1;
  let parsed;
  try {
    parsed = parseArgs(rawArgs, spec.flags, { stopAtFirstOperand: spec.stopAtFirstOperand });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\nSee 'bunker ${spec.name} --help'.`);
    return failureStatus;
  }
  if (parsed.help) {
    console.log(renderCommandUsage(spec));
    return 0;
  }
  const countProblem = operandCountProblem(parsed.operands.length, spec.operands);
  if (countProblem) {
    console.error(`"bunker ${spec.name}" requires ${countProblem}.\nSee 'bunker ${spec.name} --help'.\n\nUsage:  bunker ${spec.name} ${spec.usage}\n\n${spec.description}`);
    return failureStatus;
  }
  let client: ApiClient;
  try {
    client = new ApiClient(connection.host, connection.debug, connection.tls);
  } catch (error) {
    console.error(errorLine(error));
    return 1;
  }
  try {
    return await spec.run({ flags: parsed.flags, operands: parsed.operands, client });
  } catch (error) {
    console.error(errorLine(error));
    // Even run/create exit 1 here: no daemon is not the container's fault.
    return error instanceof DaemonUnreachableError ? 1 : failureStatus;
  }
}

/** Docker's wording for a wrong number of arguments, or undefined when the count is fine. */
function operandCountProblem(count: number, { min, max }: { min: number; max?: number }): string | undefined {
  const plural = (n: number) => `${n} argument${n === 1 ? "" : "s"}`;
  if (count >= min && (max === undefined || count <= max)) return undefined;
  if (min === max) return `exactly ${plural(min)}`;
  if (max === undefined) return `at least ${plural(min)}`;
  if (min === 0) return `at most ${plural(max)}`;
  return `at least ${min} and at most ${plural(max)}`;
}

function renderCommandUsage<F extends FlagDefs>(spec: CommandSpec<F>): string {
  const rows = Object.entries(spec.flags).map(([long, def]) => {
    const names = `${def.short ? `-${def.short}, ` : "    "}--${long}${def.valueName ? ` ${def.valueName}` : ""}`;
    return [names, def.description];
  });
  const width = Math.max(0, ...rows.map(([names]) => names.length));
  const options = rows.map(([names, description]) => `  ${names.padEnd(width)}   ${description}`).join("\n");
  return `\nUsage:  bunker ${spec.name} ${spec.usage}\n\n${spec.description}${options ? `\n\nOptions:\n${options}` : ""}\n`;
}
