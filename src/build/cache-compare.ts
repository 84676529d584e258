/** Docker's cache comparison of run configs (moby image/cache `compare`). */
import type { RunConfig } from "../image/types.ts";

/** Run configs compared as Docker's cache does: absent, null and empty lists or maps are the same. */
export function sameConfig(a: RunConfig, b: RunConfig): boolean {
  return canonical(a) === canonical(b);
}

function canonical(config: RunConfig): string {
  const entries = Object.entries(config)
    .filter(([key]) => key !== "Image")
    .filter(([, value]) => !(value === null || value === undefined || value === "" || value === false || (Array.isArray(value) && value.length === 0) || (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0)))
    .sort(([x], [y]) => x.localeCompare(y));
  return JSON.stringify(entries, (_, value) => (value && typeof value === "object" && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([x], [y]) => x.localeCompare(y))) : value));
}
