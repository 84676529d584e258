/**
 * Docker-compatible command-line parsing, shared by every command and by the global options.
 *
 * It follows pflag as the docker CLI configures it: `--flag=value` and `--flag value`,
 * combined short flags (`-it`, `-dit`, `-eFOO=bar`), `--` ends the flags, and for run/create
 * parsing stops at the first operand (the image) so the container's own command keeps its
 * flags (`run base sh -c 'ls -l'`). Docker 0.x spelled long flags with one dash (`-rm`,
 * `-name=x`); those are rewritten to `--rm`/`--name=x` before shorts are expanded.
 */

export interface FlagDef {
  /** boolean: a switch; string: one value, the last one wins; list: repeatable, all values kept. */
  kind: "boolean" | "string" | "list";
  short?: string;
  /** Other long names for the same flag (`--net` for `--network`). */
  aliases?: string[];
  description: string;
  /** Placeholder shown in usage after the flag name (`int`, `string`, `list`). */
  valueName?: string;
  /** A boolean that is on unless turned off (`--pause=false`). */
  defaultTrue?: boolean;
}

export type FlagDefs = Record<string, FlagDef>;

export type ParsedFlags<F extends FlagDefs> = {
  [K in keyof F]: F[K]["kind"] extends "boolean" ? boolean : F[K]["kind"] extends "list" ? string[] : string | undefined;
};

export interface ParsedArgs<F extends FlagDefs> {
  flags: ParsedFlags<F>;
  operands: string[];
  /** `--help` (or `-h` when the command has no `-h` of its own) was given. */
  help: boolean;
}

export interface ParseOptions {
  /** Stop at the first operand and keep everything after it verbatim (run, create, the global options). */
  stopAtFirstOperand?: boolean;
}

/** A malformed command line; the message is what docker prints (`unknown flag: --x`). */
export class UsageError extends Error {
  override name = "UsageError";
}

export function parseArgs<F extends FlagDefs>(argv: string[], defs: F, options: ParseOptions = {}): ParsedArgs<F> {
  const byLong = new Map<string, string>();
  const byShort = new Map<string, string>();
  const values: Record<string, boolean | string | string[] | undefined> = {};
  for (const [key, def] of Object.entries(defs)) {
    byLong.set(key, key);
    for (const alias of def.aliases ?? []) byLong.set(alias, key);
    if (def.short) byShort.set(def.short, key);
    values[key] = def.kind === "boolean" ? def.defaultTrue === true : def.kind === "list" ? [] : undefined;
  }

  const assign = (key: string, value: string | boolean) => {
    const current = values[key];
    if (Array.isArray(current)) current.push(String(value));
    else values[key] = value;
  };

  const operands: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = normalizeSingleDashLong(argv[i], byLong);
    if (arg === "--") {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-" || !arg.startsWith("-")) {
      if (options.stopAtFirstOperand) {
        operands.push(...argv.slice(i));
        break;
      }
      operands.push(arg);
      continue;
    }

    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const inline = eq === -1 ? undefined : arg.slice(eq + 1);
      const key = byLong.get(name);
      if (key === undefined) {
        if (name === "help") {
          help = true;
          continue;
        }
        throw new UsageError(`unknown flag: --${name}`);
      }
      if (defs[key].kind === "boolean") {
        assign(key, inline === undefined ? true : parseBool(inline, `--${name}`));
      } else {
        const value = inline ?? argv[++i];
        if (value === undefined) throw new UsageError(`flag needs an argument: --${name}`);
        assign(key, value);
      }
      continue;
    }

    // A cluster of short flags; a flag that takes a value consumes the rest of the cluster
    // (`-eA=1`) or, when it is last, the next argument (`-de A=1`).
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j];
      const key = byShort.get(letter);
      if (key === undefined) {
        if (letter === "h") {
          help = true;
          continue;
        }
        throw new UsageError(`unknown shorthand flag: '${letter}' in ${arg}`);
      }
      const rest = arg.slice(j + 1);
      if (defs[key].kind === "boolean") {
        if (rest.startsWith("=")) {
          assign(key, parseBool(rest.slice(1), `-${letter}`));
          break;
        }
        assign(key, true);
        continue;
      }
      const value = rest !== "" ? rest.replace(/^=/, "") : argv[++i];
      if (value === undefined) throw new UsageError(`flag needs an argument: '${letter}' in -${letter}`);
      assign(key, value);
      break;
    }
  }
  return { flags: values as ParsedFlags<F>, operands, help };
}

/** `-rm` → `--rm`, `-name=x` → `--name=x`, but only for long names the command knows; `-it` stays shorts. */
function normalizeSingleDashLong(arg: string, byLong: Map<string, string>): string {
  if (arg.length <= 2 || !arg.startsWith("-") || arg.startsWith("--")) return arg;
  const name = arg.slice(1).split("=")[0];
  return name.length > 1 && byLong.has(name) ? `-${arg}` : arg;
}

/** Go's strconv.ParseBool, which is what pflag accepts for `--rm=false`. */
function parseBool(text: string, flag: string): boolean {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(text)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(text)) return false;
  throw new UsageError(`invalid argument "${text}" for "${flag}" flag: strconv.ParseBool: parsing "${text}": invalid syntax`);
}
