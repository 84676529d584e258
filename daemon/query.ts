/** Query-string decoding as Docker's clients send it. */
import { InvalidArgumentError } from "../src/errors.ts";

/** Go's strconv.ParseBool: the CLI sends 1, docker-py sends True/False. */
export function parseBool(value: string | undefined, fallback = false): boolean {
  if (value === undefined || value === "") return fallback;
  if (["1", "t", "T", "true", "TRUE", "True"].includes(value)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(value)) return false;
  throw new InvalidArgumentError(`invalid boolean value: ${value}`);
}

export function parseInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError(`invalid value for ${name}: ${value}`);
  return Number(value);
}

/** `filters={"status":{"exited":true}}` or the older `{"status":["exited"]}`, as key -> values. */
export function parseFilters(value: string | undefined): Map<string, string[]> {
  const filters = new Map<string, string[]>();
  if (!value) return filters;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError(`invalid filters: ${value}`);
  }
  for (const [key, values] of Object.entries(parsed as Record<string, unknown>)) {
    filters.set(key, Array.isArray(values) ? values.map(String) : Object.keys(values as object));
  }
  return filters;
}
