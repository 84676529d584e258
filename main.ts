/**
 * bunker's single entry point: one binary, three roles picked from argv.
 *
 * Container start stages run this binary twice per `run`, so they must start in
 * milliseconds: a stage loads only `src/start/`. The daemon, the CLI and each CLI command are
 * entry points of their own in the compiled binary (`src/util/entry-point.ts` says why).
 */
import { importEntry } from "./src/util/entry-point.ts";

const argv = process.argv.slice(2);

function isDaemonInvocation(args: string[]): boolean {
  // `bunker daemon ...`, `bunker -d ...` (2013), also after the global -H/-D flags.
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "daemon" || arg === "-d" || arg === "--daemon") return true;
    if (arg === "-H" || arg === "--host") i++;
    else if (!arg.startsWith("-")) return false;
  }
  return false;
}


if (argv[0]?.startsWith("__stage-")) {
  await importEntry("src/start/stage-main");
} else if (isDaemonInvocation(argv)) {
  const { runDaemon } = await importEntry<typeof import("./daemon/main.ts")>("daemon/main");
  await runDaemon(argv.filter((a) => a !== "daemon" && a !== "-d" && a !== "--daemon"));
} else {
  const { runCli } = await importEntry<typeof import("./cli/main.ts")>("cli/main");
  process.exitCode = await runCli(argv);
}
