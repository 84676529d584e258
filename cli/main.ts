/**
 * The bunker CLI: global options, then one command, each a thin client of the Engine API.
 * `runCli` returns the exit status instead of exiting, so the caller decides how to leave.
 */
import { runCommand } from "citty";
import { parseArgs, UsageError, type FlagDefs } from "./args.ts";
import { ApiClient, DEFAULT_HOST, errorLine } from "./client.ts";
import type { BunkerCommand } from "./command.ts";
import attach from "./commands/attach.ts";
import cp from "./commands/cp.ts";
import commit from "./commands/commit.ts";
import create from "./commands/create.ts";
import diff from "./commands/diff.ts";
import exportCommand from "./commands/export.ts";
import history from "./commands/history.ts";
import image from "./commands/image.ts";
import images from "./commands/images.ts";
import importCommand from "./commands/import.ts";
import info from "./commands/info.ts";
import insert from "./commands/insert.ts";
import inspect from "./commands/inspect.ts";
import kill from "./commands/kill.ts";
import load from "./commands/load.ts";
import logs from "./commands/logs.ts";
import port from "./commands/port.ts";
import ps from "./commands/ps.ts";
import restart from "./commands/restart.ts";
import rm from "./commands/rm.ts";
import rmi from "./commands/rmi.ts";
import run from "./commands/run.ts";
import save from "./commands/save.ts";
import start from "./commands/start.ts";
import stop from "./commands/stop.ts";
import tag from "./commands/tag.ts";
import top from "./commands/top.ts";
import version from "./commands/version.ts";
import wait from "./commands/wait.ts";

const COMMANDS: Record<string, BunkerCommand> = Object.fromEntries(
  [attach, commit, diff, exportCommand, history, image, cp, create, images, importCommand, info, insert, inspect, kill, load, logs, port, ps, restart, rm, rmi, run, save, start, stop, tag, top, version, wait].map(
    (command) => [command.meta.name, command],
  ),
);

const GLOBAL_FLAGS = {
  host: { kind: "string", short: "H", description: "Daemon socket to connect to", valueName: "string" },
  debug: { kind: "boolean", short: "D", description: "Enable debug mode" },
  version: { kind: "boolean", short: "v", description: "Print version information and quit" },
} as const satisfies FlagDefs;

export async function runCli(argv: string[]): Promise<number> {
  let global;
  try {
    // The first operand is the command; everything after it is the command's to parse.
    global = parseArgs(argv, GLOBAL_FLAGS, { stopAtFirstOperand: true });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\nSee 'bunker --help'.`);
    return 1;
  }
  const [name = global.flags.version ? "version" : undefined, ...commandArgs] = global.operands;
  if (global.help || name === undefined) {
    console.log(usage());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`bunker: '${name}' is not a bunker command.\nSee 'bunker --help'`);
    return 1;
  }
  let client: ApiClient;
  try {
    client = new ApiClient(global.flags.host ?? process.env.BUNKER_HOST ?? DEFAULT_HOST, global.flags.debug);
  } catch (error) {
    console.error(errorLine(error));
    return 1;
  }
  const { result } = await runCommand(command, { rawArgs: commandArgs, data: client });
  return typeof result === "number" ? result : 0;
}

function usage(): string {
  const options = Object.entries(GLOBAL_FLAGS).map(
    ([long, def]) => `  -${def.short}, --${`${long}${"valueName" in def ? ` ${def.valueName}` : ""}`.padEnd(16)} ${def.description}`,
  );
  const commands = Object.values(COMMANDS)
    .sort((a, b) => a.meta.name.localeCompare(b.meta.name))
    .map((command) => `  ${command.meta.name.padEnd(11)} ${command.meta.description}`);
  return [
    "",
    "Usage:  bunker [OPTIONS] COMMAND",
    "",
    "A self-sufficient runtime for containers",
    "",
    "Options:",
    ...options,
    "",
    "Commands:",
    ...commands,
    "",
    "Run 'bunker COMMAND --help' for more information on a command.",
    "",
  ].join("\n");
}
