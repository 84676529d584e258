/**
 * `.dockerignore` as the docker CLI applies it (moby's patternmatcher): one pattern per line,
 * `#` comments, paths relative to the context root, `*` and `?` within one path part, `**`
 * across any number, `!` to take back an exclusion; the last matching pattern decides, and a
 * pattern that matches a directory matches everything in it.
 */
import { posix } from "node:path";

interface Pattern {
  regex: RegExp;
  exception: boolean;
  /** The literal directories at the pattern's start, to know whether an exception may lie below an excluded dir. */
  prefix: string;
}

export class DockerIgnore {
  readonly #patterns: Pattern[];

  constructor(text: string) {
    this.#patterns = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"))
      .map((line) => {
        const exception = line.startsWith("!");
        const cleaned = posix.normalize((exception ? line.slice(1) : line).trim()).replace(/^\/+/, "").replace(/\/+$/, "");
        return { regex: toRegex(cleaned), exception, prefix: cleaned.split(/[*?[\\]/)[0] };
      });
  }

  /** Whether `path` (relative, "a/b.txt") is left out of the context. */
  excludes(path: string): boolean {
    let excluded = false;
    const parents = path.split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/"));
    for (const pattern of this.#patterns) {
      if (pattern.exception !== excluded) continue;
      if (parents.some((candidate) => pattern.regex.test(candidate))) excluded = !pattern.exception;
    }
    return excluded;
  }

  /** Whether an exception pattern could take back something below this excluded directory (so it must be walked). */
  mayIncludeBelow(dir: string): boolean {
    return this.#patterns.some((pattern) => pattern.exception && (pattern.prefix.startsWith(`${dir}/`) || dir.startsWith(pattern.prefix) || pattern.prefix === ""));
  }
}

function toRegex(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === "*" && pattern[i + 1] === "*") {
      // `**/` matches no directory or any; a trailing `**` anything at all.
      if (pattern[i + 2] === "/") {
        source += "(?:.*/)?";
        i += 2;
      } else {
        source += ".*";
        i += 1;
      }
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else if (char === "\\" && i + 1 < pattern.length) source += escapeRegex(pattern[++i]);
    else if (char === "[") {
      const close = pattern.indexOf("]", i + 1);
      if (close === -1) source += "\\[";
      else {
        source += `[${pattern.slice(i + 1, close).replace(/^!/, "^")}]`;
        i = close;
      }
    } else source += escapeRegex(char);
  }
  return new RegExp(`^${source}$`);
}

function escapeRegex(char: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(char) ? `\\${char}` : char;
}
