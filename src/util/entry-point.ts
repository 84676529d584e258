/**
 * Loads another entry point of the compiled binary: embedded as `/$bunfs/root/<path>.js` when
 * compiled, the source file otherwise. The path is computed at run time on purpose: the bundler
 * hoists the static imports of every module it can see into the start-up of the entry that can
 * reach it, lazy or not, so a role (or a CLI command) loads only its own code this way.
 * Entry points do not share module instances: pass them plain data, never class instances.
 */
export function importEntry<T>(path: string): Promise<T> {
  const specifier = Bun.main.startsWith("/$bunfs/") ? `/$bunfs/root/${path}.js` : new URL(`../../${path}.ts`, import.meta.url).pathname;
  return import(specifier);
}
