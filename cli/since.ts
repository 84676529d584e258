/**
 * `logs --since` as docker reads it (timetypes.GetTimestamp): unix seconds (`1700000000`,
 * `1700000000.5`), an RFC 3339 date or time (`2024-01-02T15:04:05Z`; without a zone, UTC),
 * or a Go duration back from now (`10s`, `1m30s`, `1.5h`). Sent to the daemon as unix seconds.
 */

import { goDurationMs } from "../src/util/go-duration.ts";

export function parseSince(value: string, now = Date.now()): string {
  if (/^\d+(\.\d+)?$/.test(value)) return value;
  const ago = goDurationMs(value);
  if (ago !== undefined) return unixSeconds(now - ago);
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(value)) {
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(value) || value.length === 10 ? value : `${value}Z`;
    const ms = Date.parse(zoned.replace(" ", "T"));
    if (!Number.isNaN(ms)) return unixSeconds(ms);
  }
  throw new Error(`invalid value for "since": failed to parse value as time or duration: "${value}"`);
}

function unixSeconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
