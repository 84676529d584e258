/** RFC 3339 timestamps with nanosecond digits, as Docker writes them in logs and inspect. */
export function nowRfc3339Nano(): string {
  const nowNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  const ms = Number(nowNs / 1_000_000n);
  const fraction = (nowNs % 1_000_000_000n).toString().padStart(9, "0");
  return `${new Date(ms).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** Go's zero time, which Docker shows for a moment that never came (never started, date unknown). */
export const NEVER = "0001-01-01T00:00:00Z";
