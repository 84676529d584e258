/**
 * `docker import --change` and `docker commit --change`: Dockerfile instructions that only
 * touch the image's run config, applied in order to a copy of it.
 */
import { posix } from "node:path";
import { InvalidArgumentError } from "../errors.ts";
import type { RunConfig } from "./types.ts";

export function applyChanges(base: RunConfig, changes: string[]): RunConfig {
  const config: RunConfig = structuredClone(base);
  for (const change of changes) {
    const match = /^\s*(\S+)\s*([\s\S]*?)\s*$/.exec(change);
    if (!match) continue; // a blank line changes nothing
    const [, word, args] = match;
    applyInstruction(config, word.toUpperCase(), args);
  }
  return config;
}

function applyInstruction(config: RunConfig, instruction: string, args: string): void {
  switch (instruction) {
    case "CMD":
      config.Cmd = commandForm(args);
      return;
    case "ENTRYPOINT":
      config.Entrypoint = commandForm(args);
      return;
    case "ENV":
      for (const [key, value] of keyValues(instruction, args)) {
        config.Env = [...(config.Env ?? []).filter((entry) => !entry.startsWith(`${key}=`)), `${key}=${value}`];
      }
      return;
    case "LABEL":
      config.Labels = { ...config.Labels, ...Object.fromEntries(keyValues(instruction, args)) };
      return;
    case "EXPOSE":
      for (const port of words(args)) config.ExposedPorts = { ...config.ExposedPorts, [port.includes("/") ? port : `${port}/tcp`]: {} };
      return;
    case "VOLUME":
      for (const path of jsonArray(args) ?? words(args)) config.Volumes = { ...config.Volumes, [path]: {} };
      return;
    case "USER":
      config.User = args;
      return;
    case "WORKDIR":
      // A relative WORKDIR continues from the previous one, as in a Dockerfile.
      config.WorkingDir = posix.resolve(config.WorkingDir || "/", args);
      return;
    case "STOPSIGNAL":
      config.StopSignal = args;
      return;
    case "ONBUILD":
      config.OnBuild = [...(config.OnBuild ?? []), args];
      return;
    default:
      throw new InvalidArgumentError(`${instruction.toLowerCase()} is not a valid change command`);
  }
}

/** Exec form `["a", "b"]` as written; anything else runs through `/bin/sh -c`, as Docker does. */
function commandForm(args: string): string[] {
  return jsonArray(args) ?? ["/bin/sh", "-c", args];
}

/** The exec form: a JSON list of strings, as written; undefined for anything else (the shell form). */
export function jsonArray(args: string): string[] | undefined {
  if (!args.trim().startsWith("[")) return undefined;
  try {
    const parsed: unknown = JSON.parse(args.trim());
    if (Array.isArray(parsed) && parsed.every((item) => typeof item === "string")) return parsed;
  } catch {
    // Not valid JSON: Docker then treats the text as shell form.
  }
  return undefined;
}

/** `k=v k2="v 2"` pairs, or the legacy single `key value with spaces`. */
function keyValues(instruction: string, args: string): Array<[string, string]> {
  const tokens = words(args);
  if (tokens.length === 0) throw new InvalidArgumentError(`${instruction} requires at least one argument`);
  if (!tokens[0].includes("=")) {
    const [key, ...rest] = args.split(/\s+/);
    if (rest.length === 0) throw new InvalidArgumentError(`${instruction} must have two arguments`);
    return [[key, args.slice(key.length).trim()]];
  }
  return tokens.map((token) => {
    const equals = token.indexOf("=");
    if (equals <= 0) throw new InvalidArgumentError(`${instruction} names must not be empty: ${token}`);
    return [token.slice(0, equals), token.slice(equals + 1)];
  });
}

/** Splits on unquoted whitespace, honouring "double", 'single' quotes and backslash escapes. */
export function words(args: string): string[] {
  const result: string[] = [];
  let current: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const char = args[i];
    if (quote === undefined && /\s/.test(char)) {
      if (current !== undefined) result.push(current);
      current = undefined;
    } else if (char === quote) {
      quote = undefined;
    } else if (quote === undefined && (char === '"' || char === "'")) {
      quote = char;
      current ??= "";
    } else if (char === "\\" && quote !== "'" && i + 1 < args.length) {
      current = (current ?? "") + args[++i];
    } else {
      current = (current ?? "") + char;
    }
  }
  if (quote !== undefined) throw new InvalidArgumentError(`unmatched quote in: ${args}`);
  if (current !== undefined) result.push(current);
  return result;
}
