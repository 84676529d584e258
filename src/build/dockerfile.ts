/**
 * A Dockerfile as the legacy builder reads it: parser directives at the top (`# escape=`,
 * `# syntax=` which is ignored), comment lines dropped (inside continuations too), lines
 * joined at the escape character, then one instruction per logical line: its keyword, its
 * leading `--flag=value` options, and its arguments as written, with the exec (JSON) form
 * recognised.
 */
import { InvalidArgumentError } from "../errors.ts";
import { jsonArray } from "../image/changes.ts";

export interface Instruction {
  /** Upper case: "RUN", "COPY". */
  keyword: string;
  /** `--from=build` → { from: "build" }. */
  flags: Record<string, string>;
  /** The arguments after the flags, as written (continuations joined). */
  args: string;
  /** The exec form's words, when the arguments are a JSON list of strings. */
  json?: string[];
  /** The whole logical line, as `Step N/M :` shows it. */
  original: string;
  line: number;
}

export interface Dockerfile {
  escape: string;
  instructions: Instruction[];
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const FLAG = /^--([a-z-]+)(?:=(\S*))?\s*/;
/** Instructions whose leading `--x=y` words are options, not arguments. */
const TAKES_FLAGS = new Set(["ADD", "COPY", "FROM", "HEALTHCHECK", "RUN"]);

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let escape = "\\";
  let index = 0;
  // Directives: only in the comment lines at the very top, before anything else.
  for (; index < lines.length; index++) {
    const directive = DIRECTIVE.exec(lines[index].trim());
    if (!directive) break;
    const name = directive[1].toLowerCase();
    if (name === "escape") {
      if (directive[2] !== "\\" && directive[2] !== "`") throw new InvalidArgumentError(`invalid ESCAPE '${directive[2]}'. Must be \` or \\`);
      escape = directive[2];
    } else if (name !== "syntax") {
      break;
    }
  }
  const instructions: Instruction[] = [];
  let pending = "";
  let startLine = 0;
  for (; index < lines.length; index++) {
    const raw = lines[index];
    const trimmed = raw.trim();
    if (trimmed.startsWith("#")) continue;
    // Blank lines end nothing: inside a continuation they are skipped, as comments are.
    if (trimmed === "") continue;
    if (pending === "") startLine = index + 1;
    // The first line loses its leading space; a continuation keeps it, as in moby's parser.
    const body = (pending === "" ? raw.trimStart() : raw).replace(/\s+$/, "");
    if (body.endsWith(escape)) {
      pending += body.slice(0, -1);
      continue;
    }
    pending += body;
    instructions.push(instruction(pending, startLine));
    pending = "";
  }
  if (pending.trim() !== "") instructions.push(instruction(pending, startLine));
  if (instructions.length === 0) throw new InvalidArgumentError("the Dockerfile (Dockerfile) cannot be empty");
  return { escape, instructions };
}

function instruction(text: string, line: number): Instruction {
  const original = text.trim();
  const match = /^(\S+)\s*([\s\S]*)$/.exec(original);
  if (!match) throw new InvalidArgumentError(`Dockerfile parse error line ${line}: empty instruction`);
  const keyword = match[1].toUpperCase();
  let args = match[2];
  const flags: Record<string, string> = {};
  if (TAKES_FLAGS.has(keyword)) {
    for (let flag = FLAG.exec(args); flag; flag = FLAG.exec(args)) {
      flags[flag[1]] = flag[2] ?? "true";
      args = args.slice(flag[0].length);
    }
  }
  const json = jsonArray(args);
  return { keyword, flags, args: args.trim(), json, original, line };
}
