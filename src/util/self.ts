/** How to re-execute this program: the compiled binary alone, or bun plus the entry script in development. */
export function selfCommand(): string[] {
  const compiled = Bun.main.startsWith("/$bunfs/");
  return compiled ? [process.execPath] : [process.execPath, Bun.main];
}
