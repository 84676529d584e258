/**
 * `--env-file FILE`: docker's format. One `KEY=VALUE` a line, taken verbatim after the `=`
 * (no quotes, no expansion); a bare `KEY` takes the client's value and is dropped when the
 * client has none; blank lines and `#` comments are skipped.
 */
import { readFileSync } from "node:fs";

export function parseEnvFile(text: string, path: string, environment: Record<string, string | undefined>): string[] {
  const entries: string[] = [];
  text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .forEach((raw, index) => {
      const line = raw.trimStart();
      if (line === "" || line.startsWith("#")) return;
      const eq = line.indexOf("=");
      const name = eq === -1 ? line : line.slice(0, eq);
      if (name === "") throw new Error(`no variable name on line '${line}' (${path}:${index + 1})`);
      if (/\s/.test(name)) throw new Error(`variable '${name}' contains whitespaces (${path}:${index + 1})`);
      if (eq !== -1) entries.push(line);
      else if (environment[name] !== undefined) entries.push(`${name}=${environment[name]}`);
    });
  return entries;
}

/** The entries of every `--env-file` given, in order (run, create, exec). */
export function readEnvFiles(paths: string[], environment: Record<string, string | undefined>): string[] {
  return paths.flatMap((path) => {
    let text;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      throw new Error(`open ${path}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (err as Error).message}`);
    }
    return parseEnvFile(text, path, environment);
  });
}
