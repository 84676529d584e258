/** Docker's human renderings of durations and sizes (go-units HumanDuration, HumanSize). */

export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return "Less than a second";
  if (seconds === 1) return "1 second";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return "About an hour";
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

function scaled(bytes: number, base: number, units: string[], precision: number): string {
  let size = bytes;
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return `${Number(size.toPrecision(precision))}${units[i]}`;
}

/** Decimal units with `precision` significant digits, as `docker images` prints them ("1.98MB"). */
export function humanSize(bytes: number, precision = 3): string {
  return scaled(bytes, 1000, ["B", "kB", "MB", "GB", "TB", "PB"], precision);
}

/** Binary units with 4 significant digits, as `docker info` prints Total Memory ("23.54GiB"). */
export function binarySize(bytes: number): string {
  return scaled(bytes, 1024, ["B", "KiB", "MiB", "GiB", "TiB", "PiB"], 4);
}

/** `[=====>      ]  1.05MB/2.1MB` for bytes sent so far; without a total just the count. */
export function progressBar(done: number, total: number | undefined, barWidth = 50): string {
  if (!total) return humanSize(done);
  const filled = Math.min(barWidth, Math.floor((done / total) * barWidth));
  const bar = filled >= barWidth ? "=".repeat(barWidth) : `${"=".repeat(filled)}>${" ".repeat(barWidth - filled - 1)}`;
  return `[${bar}]  ${humanSize(done)}/${humanSize(total)}`;
}
