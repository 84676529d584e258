/** The daemon's mount points, from /proc/self/mountinfo (its fifth field, octal escapes decoded). */
import { readFileSync } from "node:fs";

export function mountPoints(): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .flatMap((line) => {
      const field = line.split(" ")[4];
      return field ? [field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)))] : [];
    });
}
