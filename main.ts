/**
 * bunker's single entry point. The role is picked from argv before anything heavy is
 * loaded, so the start stages that run inside containers stay small and fast.
 */
import { STAGE_INSIDE, STAGE_NAMESPACES } from "./src/start/spec.ts";

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

if (argv[0] === STAGE_NAMESPACES) {
  (await import("./src/start/2-create-namespaces.ts")).createNamespaces();
} else if (argv[0] === STAGE_INSIDE) {
  (await import("./src/start/stage-inside.ts")).runStageInside();
} else if (isDaemonInvocation(argv)) {
  const args = argv.filter((a) => a !== "daemon" && a !== "-d" && a !== "--daemon");
  await (await import("./daemon/main.ts")).runDaemon(args);
} else {
  process.exitCode = await (await import("./cli/main.ts")).runCli(argv);
}
