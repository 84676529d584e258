/**
 * The bunker CLI: global options, then one command, each a thin client of the Engine API.
 * Each command is an entry point of its own (`cli/commands/<name>.ts`), loaded only when it
 * runs, so a command pays for its own code alone at start-up. `runCli` returns the exit status
 * instead of exiting, so the caller decides how to leave.
 */
import { clientTls } from "./tls-settings.ts";
import { parseArgs, UsageError, type FlagDefs } from "./args.ts";
import { DEFAULT_HOST } from "./client.ts";
import type { BunkerCommand } from "./command.ts";
import { importEntry } from "../src/util/entry-point.ts";
import { buildCommit, VERSION } from "../src/util/build-info.ts";

/** Every command, by the name of its file under cli/commands/. */
const COMMANDS = [
  "attach", "build", "commit", "cp", "create", "diff", "export", "history", "image", "images", "import", "info", "insert", "inspect",
  "kill", "load", "login", "logout", "logs", "port", "ps", "pull", "push", "restart", "rm", "rmi", "run", "save", "search", "start", "stop", "tag",
  "top", "version", "wait", "pause", "unpause", "update", "stats", "exec", "events", "rename", "container", "system", "volume", "network",
];

const GLOBAL_FLAGS = {
  host: { kind: "string", short: "H", description: "Daemon socket to connect to", valueName: "string" },
  debug: { kind: "boolean", short: "D", description: "Enable debug mode" },
  version: { kind: "boolean", short: "v", description: "Print version information and quit" },
  tls: { kind: "boolean", description: "Use TLS; implied by --tlsverify" },
  tlsverify: { kind: "boolean", description: "Use TLS and verify the remote" },
  tlscacert: { kind: "string", description: "Trust certs signed only by this CA", valueName: "string" },
  tlscert: { kind: "string", description: "Path to TLS certificate file", valueName: "string" },
  tlskey: { kind: "string", description: "Path to TLS key file", valueName: "string" },
} as const satisfies FlagDefs;

async function loadCommand(name: string): Promise<BunkerCommand> {
  return (await importEntry<{ default: BunkerCommand }>(`cli/commands/${name}`)).default;
}

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
  const [name, ...commandArgs] = global.operands;
  // `docker --version`: one line, no daemon needed.
  if (global.flags.version && name === undefined) {
    console.log(`bunker version ${VERSION}, build ${buildCommit()}`);
    return 0;
  }
  if (global.help || name === undefined) {
    console.log(await usage());
    return 0;
  }
  if (!COMMANDS.includes(name)) {
    console.error(`bunker: '${name}' is not a bunker command.\nSee 'bunker --help'`);
    return 1;
  }
  const command = await loadCommand(name);
  let tls;
  try {
    tls = clientTls(global.flags);
  } catch (error) {
    console.error(`bunker: ${(error as Error).message}`);
    return 1;
  }
  return command.run(commandArgs, { host: global.flags.host ?? process.env.BUNKER_HOST ?? DEFAULT_HOST, debug: global.flags.debug, tls });
}

async function usage(): Promise<string> {
  const options = Object.entries(GLOBAL_FLAGS).map(
    ([long, def]) => `  ${"short" in def ? `-${def.short}, ` : "    "}--${`${long}${"valueName" in def ? ` ${def.valueName}` : ""}`.padEnd(16)} ${def.description}`,
  );
  const commands = (await Promise.all(COMMANDS.map(loadCommand))).map((command) => `  ${command.meta.name.padEnd(11)} ${command.meta.description}`);
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
