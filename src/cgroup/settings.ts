/**
 * Resources as cgroup file writes, for either cgroup version. Pure: the caller supplies the
 * device numbers of throttled paths, and the unit tests check both versions' files without a
 * kernel. On v2 the kernel's own conversions are used: cpu.weight from shares as runc does,
 * memory.swap.max as swap only (v1's memsw counts memory too), io.weight from blkio weight.
 */
import type { Resources, ThrottleDevice } from "./resources.ts";

export interface Setting {
  /** The v1 controller whose hierarchy holds the file; on v2 every file is in the one cgroup. */
  controller: string;
  file: string;
  value: string;
}

/** The default CFS period, used with `--cpus`. */
const CFS_PERIOD_US = 100_000;

export type DeviceNumber = (path: string) => string;

/** The CFS quota and period `--cpus`, `--cpu-quota` and `--cpu-period` ask for (quota -1: none). */
function cfs(r: Resources): { quota: number; period: number } | undefined {
  if (r.NanoCpus > 0) return { quota: Math.round((r.NanoCpus * CFS_PERIOD_US) / 1e9), period: CFS_PERIOD_US };
  if (r.CpuQuota !== 0 || r.CpuPeriod !== 0) return { quota: r.CpuQuota > 0 ? r.CpuQuota : -1, period: r.CpuPeriod || CFS_PERIOD_US };
  return undefined;
}

function throttles(devices: ThrottleDevice[], device: DeviceNumber): [string, number][] {
  return devices.map((d) => [device(d.Path), d.Rate]);
}

export function v1Settings(r: Resources, device: DeviceNumber, has: (controller: string, file: string) => boolean): Setting[] {
  const out: Setting[] = [];
  const set = (controller: string, file: string, value: string | number) => out.push({ controller, file, value: String(value) });
  if (r.Memory > 0) set("memory", "memory.limit_in_bytes", r.Memory);
  // Swap accounting is a boot option; without it memsw does not exist and swap is unlimited.
  if (r.MemorySwap !== 0 && has("memory", "memory.memsw.limit_in_bytes")) set("memory", "memory.memsw.limit_in_bytes", r.MemorySwap);
  if (r.MemoryReservation > 0) set("memory", "memory.soft_limit_in_bytes", r.MemoryReservation);
  if (r.OomKillDisable) set("memory", "memory.oom_control", 1);
  if (r.CpuShares > 0) set("cpu", "cpu.shares", r.CpuShares);
  const quota = cfs(r);
  if (quota) {
    set("cpu", "cpu.cfs_period_us", quota.period);
    set("cpu", "cpu.cfs_quota_us", quota.quota);
  }
  if (r.CpusetCpus) set("cpuset", "cpuset.cpus", r.CpusetCpus);
  if (r.CpusetMems) set("cpuset", "cpuset.mems", r.CpusetMems);
  set("pids", "pids.max", r.PidsLimit === null ? "max" : r.PidsLimit);
  if (r.BlkioWeight > 0) set("blkio", has("blkio", "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight", r.BlkioWeight);
  for (const [dev, rate] of throttles(r.BlkioDeviceReadBps, device)) set("blkio", "blkio.throttle.read_bps_device", `${dev} ${rate}`);
  for (const [dev, rate] of throttles(r.BlkioDeviceWriteBps, device)) set("blkio", "blkio.throttle.write_bps_device", `${dev} ${rate}`);
  return out;
}

/** cgroup v2's weight (1–10000) for v1 shares (2–262144), as runc converts it. */
export function sharesToWeight(shares: number): number {
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

/** io.weight (1–10000) for a blkio weight (10–1000). */
export function blkioToIoWeight(weight: number): number {
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

export function v2Settings(r: Resources, device: DeviceNumber): Setting[] {
  const out: Setting[] = [];
  const set = (controller: string, file: string, value: string | number) => out.push({ controller, file, value: String(value) });
  if (r.Memory > 0) set("memory", "memory.max", r.Memory);
  if (r.MemorySwap === -1) set("memory", "memory.swap.max", "max");
  else if (r.MemorySwap > 0 && r.Memory > 0) set("memory", "memory.swap.max", r.MemorySwap - r.Memory);
  if (r.MemoryReservation > 0) set("memory", "memory.low", r.MemoryReservation);
  if (r.CpuShares > 0) set("cpu", "cpu.weight", sharesToWeight(r.CpuShares));
  const quota = cfs(r);
  if (quota) set("cpu", "cpu.max", `${quota.quota < 0 ? "max" : quota.quota} ${quota.period}`);
  if (r.CpusetCpus) set("cpuset", "cpuset.cpus", r.CpusetCpus);
  if (r.CpusetMems) set("cpuset", "cpuset.mems", r.CpusetMems);
  set("pids", "pids.max", r.PidsLimit === null ? "max" : r.PidsLimit);
  if (r.BlkioWeight > 0) set("io", "io.weight", `default ${blkioToIoWeight(r.BlkioWeight)}`);
  const io = new Map<string, string[]>();
  for (const [dev, rate] of throttles(r.BlkioDeviceReadBps, device)) io.set(dev, [...(io.get(dev) ?? []), `rbps=${rate}`]);
  for (const [dev, rate] of throttles(r.BlkioDeviceWriteBps, device)) io.set(dev, [...(io.get(dev) ?? []), `wbps=${rate}`]);
  for (const [dev, limits] of io) set("io", "io.max", `${dev} ${limits.join(" ")}`);
  return out;
}
