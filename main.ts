/**
 * bunker's single entry point: one binary, three roles picked from argv.
 *
 * Container start stages run this binary twice per `run`, so they must start in
 * milliseconds: a stage loads only `src/start/`. The daemon and the CLI are entry points of
 * their own in the compiled binary, imported through a path computed at run time, because
 * the bundler hoists the static imports (node:http, consola, zlib...) of every module it can
 * see into the start-up of the entry that can reach it, lazy or not.
 */
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

/** Another entry point: embedded as `/$bunfs/root/<path>.js` when compiled, the source file otherwise. */
function importEntry<T>(path: string): Promise<T> {
  const specifier = Bun.main.startsWith("/$bunfs/") ? `/$bunfs/root/${path}.js` : new URL(`./${path}.ts`, import.meta.url).pathname;
  return import(specifier);
}

if (argv[0]?.startsWith("__stage-")) {
  await import("./src/start/stage-main.ts");
} else if (isDaemonInvocation(argv)) {
  const { runDaemon } = await importEntry<typeof import("./daemon/main.ts")>("daemon/main");
  await runDaemon(argv.filter((a) => a !== "daemon" && a !== "-d" && a !== "--daemon"));
} else {
  const { runCli } = await importEntry<typeof import("./cli/main.ts")>("cli/main");
  process.exitCode = await runCli(argv);
}
