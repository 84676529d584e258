/**
 * Dockerfile variable substitution, as the builder's shell lexer does it: `$VAR`, `${VAR}`,
 * `${VAR:-word}` (word when unset or empty), `${VAR:+word}` (word when set and not empty);
 * nothing inside 'single quotes'; the escape character makes the next one literal. Quotes and
 * escapes are kept: the result is re-read word by word (`changes.ts`), so a substituted value
 * is escaped where it lands, and "a b" from a variable stays one word, as in Docker.
 */
import { InvalidArgumentError } from "../errors.ts";

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export function expandVariables(text: string, env: ReadonlyMap<string, string>, escape = "\\"): string {
  let out = "";
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === escape && quote !== "'" && i + 1 < text.length) {
      out += char + text[i + 1];
      i++;
      continue;
    }
    if (quote === undefined && (char === "'" || char === '"')) quote = char;
    else if (char === quote) quote = undefined;
    if (char !== "$" || quote === "'") {
      out += char;
      continue;
    }
    const { value, length } = substitution(text, i + 1, env, escape);
    if (length === 0) {
      out += char;
      continue;
    }
    out += protect(value, quote, escape);
    i += length;
  }
  return out;
}

/** The value of the reference at `start` (just after `$`) and how many characters it took; 0 when it is no reference. */
function substitution(text: string, start: number, env: ReadonlyMap<string, string>, escape: string): { value: string; length: number } {
  if (text[start] !== "{") {
    const name = NAME.exec(text.slice(start))?.[0];
    return name ? { value: env.get(name) ?? "", length: name.length } : { value: "", length: 0 };
  }
  const close = text.indexOf("}", start);
  if (close === -1) throw new InvalidArgumentError(`missing '}' in ${text}`);
  const inner = text.slice(start + 1, close);
  const name = NAME.exec(inner)?.[0];
  if (!name) throw new InvalidArgumentError(`bad substitution: \${${inner}}`);
  const rest = inner.slice(name.length);
  const value = env.get(name);
  const length = close - start + 1;
  if (rest === "") return { value: value ?? "", length };
  const word = unescapeWord(rest.slice(2), env, escape);
  if (rest.startsWith(":-")) return { value: value ? value : word, length };
  if (rest.startsWith(":+")) return { value: value ? word : "", length };
  throw new InvalidArgumentError(`unsupported modifier (${rest.slice(0, 2)}) in substitution`);
}

/** A modifier's word, itself expanded, its quotes taken as quotes. */
function unescapeWord(word: string, env: ReadonlyMap<string, string>, escape: string): string {
  return expandVariables(word, env, escape).replace(/^(["'])(.*)\1$/, "$2");
}

/** A substituted value escaped for where it lands: outside quotes every blank and quote, inside double quotes `"` and the escape. */
function protect(value: string, quote: "'" | '"' | undefined, escape: string): string {
  const special = quote === '"' ? new Set(['"', escape]) : new Set([" ", "\t", "\n", '"', "'", escape]);
  return [...value].map((char) => (special.has(char) ? `${escape}${char}` : char)).join("");
}
