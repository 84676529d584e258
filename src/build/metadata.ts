/** The metadata instructions' effect on a run config (CMD, ENTRYPOINT, SHELL, HEALTHCHECK, … ), and how their history line reads. */
import { InvalidArgumentError } from "../errors.ts";
import { applyChanges } from "../image/changes.ts";
import type { RunConfig } from "../image/types.ts";
import { parseDockerfile, type Instruction } from "./dockerfile.ts";

export const DEFAULT_SHELL = ["/bin/sh", "-c"];

/** The run config after a metadata instruction; `cmdSet` says whether this stage gave a CMD (a new ENTRYPOINT keeps only that one). */
export function applyMetadata(base: RunConfig, instruction: Instruction, args: string, cmdSet: boolean): RunConfig {
  switch (instruction.keyword) {
    case "MAINTAINER":
    case "ARG":
      return { ...base };
    case "SHELL":
      if (!instruction.json) throw new InvalidArgumentError("requires the arguments to be in JSON form");
      return { ...base, Shell: instruction.json };
    case "HEALTHCHECK":
      return { ...base, Healthcheck: healthcheck(instruction) } as RunConfig;
    case "CMD":
      return { ...base, Cmd: instruction.json ?? [...(base.Shell ?? DEFAULT_SHELL), instruction.args] };
    case "ENTRYPOINT":
      // A CMD inherited from the base image does not survive a new ENTRYPOINT; one set in this stage does.
      return { ...base, Entrypoint: instruction.json ?? [...(base.Shell ?? DEFAULT_SHELL), instruction.args], ...(cmdSet ? {} : { Cmd: null }) };
    default:
      return applyChanges(base, [`${instruction.keyword} ${args}`]);
  }
}

/** What a metadata step's history line says after the keyword, as the legacy builder writes it. */
export function metadataText(instruction: Instruction, run: RunConfig, args: string): string {
  if (instruction.keyword === "CMD") return JSON.stringify(run.Cmd);
  if (instruction.keyword === "ENTRYPOINT") return JSON.stringify(run.Entrypoint);
  return args;
}

function healthcheck(instruction: Instruction): Record<string, unknown> {
  const text = instruction.args.trim();
  if (/^NONE$/i.test(text)) return { Test: ["NONE"] };
  const match = /^CMD\s+([\s\S]+)$/i.exec(text);
  if (!match) throw new InvalidArgumentError("HEALTHCHECK requires CMD or NONE");
  const json = parseDockerfile(`CMD ${match[1]}`).instructions[0].json;
  const check: Record<string, unknown> = { Test: json ? ["CMD", ...json] : ["CMD-SHELL", match[1]] };
  const durations: Record<string, string> = { interval: "Interval", timeout: "Timeout", "start-period": "StartPeriod" };
  for (const [flag, field] of Object.entries(durations)) if (instruction.flags[flag]) check[field] = durationNanos(instruction.flags[flag]);
  if (instruction.flags.retries) check.Retries = Number(instruction.flags.retries);
  return check;
}

function durationNanos(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (!match) throw new InvalidArgumentError(`invalid duration ${text}`);
  const unit = { ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }[match[2] as "ms" | "s" | "m" | "h"];
  return Math.round(Number(match[1]) * unit);
}

