/**
 * The json-file log's rotation: its options (HostConfig.LogConfig.Config "max-size" and
 * "max-file", as Docker spells them), the names of the rotated files, and how the writer
 * cuts its queue into writes that keep every file within its size.
 */
import { InvalidArgumentError } from "../errors.ts";

export interface LogRotation {
  /** Bytes a file may hold before the writer moves on to a fresh one. */
  maxSize: number;
  /** Files kept, the live one included; the oldest is dropped when one more would exceed it. */
  maxFiles: number;
}

/** Where a container's log lives and how it rotates. */
export interface LogFile extends LogRotation {
  path: string;
}

/**
 * Docker's json-file keeps everything by default, so one chatty container can fill the disk.
 * bunker always rotates, with the defaults of Docker's `local` log driver (20 MB a file, 5
 * files): at most 100 MB a container, yet enough history for `logs` to be useful.
 */
export const DEFAULT_ROTATION: LogRotation = { maxSize: 20 * 1024 * 1024, maxFiles: 5 };

const UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** A size as Docker's json-file reads it (go-units RAMInBytes): `10m`, `512k`, `1.5g`, `2MiB`; binary units. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?) ?([kmgtp]?)(?:i?b)?$/i.exec(text.trim());
  if (!match) throw new InvalidArgumentError(`invalid size: '${text}'`);
  return Math.floor(Number(match[1]) * UNITS[match[2].toLowerCase()]);
}

/** The rotation a log config asks for, the defaults filling what it leaves out; invalid options are refused. */
export function logRotation(config: Record<string, string> | null | undefined): LogRotation {
  const rotation = { ...DEFAULT_ROTATION };
  for (const [key, value] of Object.entries(config ?? {})) {
    if (key === "max-size") {
      rotation.maxSize = parseSize(value);
      if (rotation.maxSize <= 0) throw new InvalidArgumentError("max-size must be a positive number");
    } else if (key === "max-file") {
      if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`invalid value for max-file: ${value}`);
      rotation.maxFiles = Number(value);
      if (rotation.maxFiles < 1) throw new InvalidArgumentError("max-file cannot be less than 1");
    } else {
      throw new InvalidArgumentError(`unknown log opt '${key}' for json-file log driver`);
    }
  }
  return rotation;
}

/** `<id>-json.log.N`: the Nth most recent rotated file (Docker's naming). */
export function rotatedPath(path: string, n: number): string {
  return `${path}.${n}`;
}

export interface Batch {
  /** Move the live file aside before writing: what is queued does not fit in it any more. */
  rotateFirst: boolean;
  /** How many queued lines to write now, all into the same file. */
  count: number;
}

/**
 * The next write: queued lines (their byte lengths) that fit in the live file, which holds
 * `fileSize` bytes. A full file is rotated first; a line larger than a whole file still goes
 * out, alone, rather than being lost.
 */
export function nextBatch(lengths: readonly number[], fileSize: number, maxSize: number): Batch {
  const rotateFirst = fileSize > 0 && fileSize + lengths[0] > maxSize;
  let size = rotateFirst ? 0 : fileSize;
  let count = 0;
  while (count < lengths.length && (count === 0 || size + lengths[count] <= maxSize)) size += lengths[count++];
  return { rotateFirst, count };
}
