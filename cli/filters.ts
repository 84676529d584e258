/** `-f key=value` flags, repeatable, as the API's `filters` JSON (`{"dangling":{"true":true}}`), as the docker CLI sends them. */
import { UsageError } from "./args.ts";

export function filtersQuery(filters: string[], extra: Record<string, string> = {}): string | undefined {
  const byKey: Record<string, Record<string, boolean>> = {};
  for (const filter of [...filters, ...Object.entries(extra).map(([key, value]) => `${key}=${value}`)]) {
    const eq = filter.indexOf("=");
    if (eq <= 0) throw new UsageError(`bad format of filter (expected name=value): ${filter}`);
    (byKey[filter.slice(0, eq)] ??= {})[filter.slice(eq + 1)] = true;
  }
  return Object.keys(byKey).length ? JSON.stringify(byKey) : undefined;
}
