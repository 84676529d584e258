/** One line of `docker stats` from one stats sample, computed as the docker CLI computes it. */
import { binarySize, humanSize } from "../src/util/human.ts";

interface Cpu {
  cpu_usage: { total_usage: number; percpu_usage?: number[] };
  system_cpu_usage?: number;
  online_cpus?: number;
}

export interface StatsJson {
  id: string;
  name: string;
  read: string;
  cpu_stats: Cpu;
  precpu_stats: Cpu;
  memory_stats: { usage?: number; limit?: number; stats?: Record<string, number> };
  pids_stats: { current?: number };
  blkio_stats: { io_service_bytes_recursive: { op: string; value: number }[] | null };
  networks?: Record<string, { rx_bytes: number; tx_bytes: number }>;
}

export interface StatsRow {
  Container: string;
  ID: string;
  Name: string;
  CPUPerc: string;
  MemUsage: string;
  MemPerc: string;
  NetIO: string;
  BlockIO: string;
  PIDs: string;
}

/** The share of the host's CPU time the container used between the two samples, times the CPUs (100% is one full core). */
function cpuPercent(s: StatsJson): number {
  const cpuDelta = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
  const systemDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
  const cpus = s.cpu_stats.online_cpus || s.cpu_stats.cpu_usage.percpu_usage?.length || 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
}

/** Usage minus the page cache the kernel can drop at once (v1 total_inactive_file, v2 inactive_file). */
function memoryUsage(s: StatsJson): number {
  const usage = s.memory_stats.usage ?? 0;
  const stats = s.memory_stats.stats ?? {};
  const inactive = stats.total_inactive_file ?? stats.inactive_file;
  return inactive !== undefined && inactive < usage ? usage - inactive : usage;
}

export function statsRow(s: StatsJson, container: string, truncate = true): StatsRow {
  const used = memoryUsage(s);
  const limit = s.memory_stats.limit ?? 0;
  let read = 0;
  let written = 0;
  for (const entry of s.blkio_stats.io_service_bytes_recursive ?? []) {
    if (entry.op.toLowerCase() === "read") read += entry.value;
    if (entry.op.toLowerCase() === "write") written += entry.value;
  }
  const nets = Object.values(s.networks ?? {});
  const rx = nets.reduce((sum, n) => sum + n.rx_bytes, 0);
  const tx = nets.reduce((sum, n) => sum + n.tx_bytes, 0);
  const running = s.read !== "0001-01-01T00:00:00Z";
  return {
    Container: container,
    ID: truncate ? s.id.slice(0, 12) : s.id,
    Name: s.name.replace(/^\//, ""),
    CPUPerc: running ? `${cpuPercent(s).toFixed(2)}%` : "--",
    MemUsage: running ? `${binarySize(used)} / ${binarySize(limit)}` : "-- / --",
    MemPerc: running ? `${(limit > 0 ? (used / limit) * 100 : 0).toFixed(2)}%` : "--",
    NetIO: running ? `${humanSize(rx)} / ${humanSize(tx)}` : "--",
    BlockIO: running ? `${humanSize(read)} / ${humanSize(written)}` : "--",
    PIDs: running ? String(s.pids_stats.current ?? 0) : "--",
  };
}
