/** Query-string decoding as Docker's clients send it. */
import { InvalidArgumentError } from "../src/errors.ts";
import { filtersJson } from "./schemas/common.ts";
import { issueMessage } from "./validate.ts";

/** Go's strconv.ParseBool: the CLI sends 1, docker-py sends True/False. */
export function parseBool(value: string | undefined, fallback = false): boolean {
  if (value === undefined || value === "") return fallback;
  if (["1", "t", "T", "true", "TRUE", "True"].includes(value)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(value)) return false;
  throw new InvalidArgumentError(`invalid boolean value: ${value}`);
}

export function parseInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const number = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(number)) throw new InvalidArgumentError(`invalid value for ${name}: ${value}`);
  return number;
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
  const checked = filtersJson.safeParse(parsed);
  if (!checked.success) throw new InvalidArgumentError(issueMessage(checked.error, parsed).replace(/^invalid /, "invalid filters: "));
  for (const [key, values] of Object.entries(checked.data)) {
    filters.set(key, Array.isArray(values) ? values : Object.keys(values).filter((value) => values[value]));
  }
  return filters;
}
