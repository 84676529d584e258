/**
 * A container's resource limits, in the names of Docker's HostConfig (inspect shows them as
 * they are here), with Docker's checks and defaults. The API validates a create or an update
 * through `checkResources`; the cgroup writers trust what they get.
 */
import { availableParallelism } from "node:os";
import { InvalidArgumentError } from "../errors.ts";

export interface ThrottleDevice {
  Path: string;
  Rate: number;
}

export interface Resources {
  Memory: number;
  /** Memory plus swap; -1 unlimited; Docker makes 0 twice `Memory` when a memory limit is set. */
  MemorySwap: number;
  MemoryReservation: number;
  OomKillDisable: boolean;
  CpuShares: number;
  /** CPUs in billionths (`--cpus 0.5` is 500000000): a CFS quota over a 100 ms period. */
  NanoCpus: number;
  CpuPeriod: number;
  CpuQuota: number;
  CpusetCpus: string;
  CpusetMems: string;
  /** null or ≤ 0: unlimited. */
  PidsLimit: number | null;
  BlkioWeight: number;
  BlkioDeviceReadBps: ThrottleDevice[];
  BlkioDeviceWriteBps: ThrottleDevice[];
}

export const NO_LIMITS: Resources = {
  Memory: 0,
  MemorySwap: 0,
  MemoryReservation: 0,
  OomKillDisable: false,
  CpuShares: 0,
  NanoCpus: 0,
  CpuPeriod: 0,
  CpuQuota: 0,
  CpusetCpus: "",
  CpusetMems: "",
  PidsLimit: null,
  BlkioWeight: 0,
  BlkioDeviceReadBps: [],
  BlkioDeviceWriteBps: [],
};

export const RESOURCE_KEYS = Object.keys(NO_LIMITS) as (keyof Resources)[];

const MIN_MEMORY = 6 * 1024 * 1024;

/** The resources of `requested` over `base` (fields absent or null keep the base's), checked and with Docker's defaults applied. */
export function checkResources(requested: Partial<Record<keyof Resources, unknown>>, base: Resources = NO_LIMITS): Resources {
  const given = Object.fromEntries(Object.entries(requested).filter(([key, value]) => value != null && key in NO_LIMITS));
  const r = { ...base, ...given } as Resources;
  if (r.Memory !== 0 && r.Memory < MIN_MEMORY) throw new InvalidArgumentError("Minimum memory limit allowed is 6MB");
  if (r.MemorySwap > 0 && r.Memory === 0) throw new InvalidArgumentError("You should always set the Memory limit when using Memoryswap limit");
  // An update that raises the memory limit past the old default swap takes the default again.
  if (r.Memory > 0 && (r.MemorySwap === 0 || (requested.MemorySwap == null && base.MemorySwap === base.Memory * 2))) r.MemorySwap = r.Memory * 2;
  if (r.Memory > 0 && r.MemorySwap > 0 && r.MemorySwap < r.Memory) throw new InvalidArgumentError("Minimum memoryswap limit should be larger than memory limit, see usage");
  if (r.MemoryReservation !== 0 && r.MemoryReservation < MIN_MEMORY) throw new InvalidArgumentError("Minimum memory reservation allowed is 6MB");
  if (r.Memory > 0 && r.MemoryReservation > 0 && r.Memory < r.MemoryReservation) {
    throw new InvalidArgumentError("Minimum memory limit can not be less than memory reservation limit, see usage");
  }
  if (r.NanoCpus > 0 && r.CpuPeriod > 0) throw new InvalidArgumentError("Conflicting options: Nano CPUs and CPU Period cannot both be set");
  if (r.NanoCpus > 0 && r.CpuQuota > 0) throw new InvalidArgumentError("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
  const cpus = availableParallelism();
  if (r.NanoCpus < 0 || r.NanoCpus > cpus * 1e9) {
    throw new InvalidArgumentError(`Range of CPUs is from 0.01 to ${cpus}.00, as there are only ${cpus} CPUs available`);
  }
  if (r.CpuPeriod !== 0 && (r.CpuPeriod < 1000 || r.CpuPeriod > 1_000_000)) {
    throw new InvalidArgumentError("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
  }
  if (r.CpuQuota > 0 && r.CpuQuota < 1000) throw new InvalidArgumentError("CPU cfs quota can not be less than 1ms (i.e. 1000)");
  if (r.CpuShares < 0) throw new InvalidArgumentError(`invalid CPU shares: ${r.CpuShares}`);
  checkCpuList(r.CpusetCpus, "cpus", cpus - 1);
  checkCpuList(r.CpusetMems, "mems", undefined);
  if (r.BlkioWeight > 0 && (r.BlkioWeight < 10 || r.BlkioWeight > 1000)) throw new InvalidArgumentError("Range of blkio weight is from 10 to 1000");
  for (const device of [...r.BlkioDeviceReadBps, ...r.BlkioDeviceWriteBps]) {
    if (typeof device?.Path !== "string" || !Number.isSafeInteger(device.Rate) || device.Rate < 0) throw new InvalidArgumentError(`invalid throttle device: ${JSON.stringify(device)}`);
  }
  if (r.PidsLimit !== null && r.PidsLimit <= 0) r.PidsLimit = null;
  return r;
}

/** "0-2,4": cpuset's list syntax, within the CPUs this host has. */
function checkCpuList(list: string, kind: "cpus" | "mems", last: number | undefined): void {
  if (list === "") return;
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(list)) throw new InvalidArgumentError(`Invalid value ${list} for cpuset ${kind}`);
  if (last === undefined) return;
  for (const part of list.split(",")) {
    const [from, to = from] = part.split("-").map(Number);
    if (to < from) throw new InvalidArgumentError(`Invalid value ${list} for cpuset ${kind}`);
    if (to > last) throw new InvalidArgumentError(`Requested CPUs are not available - requested ${list}, available: 0-${last}`);
  }
}

/** `oom_score_adj` as Docker bounds it. */
export function checkOomScoreAdj(value: number | null | undefined): number {
  const adj = value ?? 0;
  if (!Number.isInteger(adj) || adj < -1000 || adj > 1000) throw new InvalidArgumentError(`Invalid value ${adj}, range for oom score adj is [-1000, 1000]`);
  return adj;
}
