/** `--ulimit name=soft[:hard]`: Docker's names for the RLIMIT_* resources, set by stage 4 before execve. */
import { InvalidArgumentError } from "../errors.ts";

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

const RESOURCES: Record<string, number> = {
  cpu: 0, fsize: 1, data: 2, stack: 3, core: 4, rss: 5, nproc: 6, nofile: 7, memlock: 8, as: 9,
  locks: 10, sigpending: 11, msgqueue: 12, nice: 13, rtprio: 14, rttime: 15,
};

export function checkUlimits(ulimits: Ulimit[] | null | undefined): Ulimit[] {
  for (const limit of ulimits ?? []) {
    if (!(limit.Name in RESOURCES)) throw new InvalidArgumentError(`invalid ulimit type: ${limit.Name}`);
    if (limit.Soft > limit.Hard && limit.Hard !== -1) throw new InvalidArgumentError(`ulimit soft limit must be less than or equal to hard limit: ${limit.Soft} > ${limit.Hard}`);
  }
  return ulimits ?? [];
}

export function rlimitsOf(ulimits: Ulimit[]): { resource: number; soft: number; hard: number }[] {
  return ulimits.map((limit) => ({ resource: RESOURCES[limit.Name], soft: limit.Soft, hard: limit.Hard }));
}
