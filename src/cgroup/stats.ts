/**
 * One sample of a container's usage, in the shape of Docker's stats API (v1.41), read straight
 * from its cgroup files and its init's /proc/<pid>/net/dev: a dozen small reads, no process
 * spawned, so following the stats of a hundred containers costs the daemon little. A reader
 * keeps its files open while a client follows it and reads each again from offset 0 (the
 * kernel regenerates a cgroup or /proc file on every read from the start): one syscall per
 * file and sample instead of open, stat, read and close.
 */
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { join } from "node:path";
import type { ContainerCgroups } from "./container-cgroups.ts";

export interface CpuStats {
  cpu_usage: { total_usage: number; percpu_usage?: number[]; usage_in_kernelmode: number; usage_in_usermode: number };
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}

interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export interface NetworkStats {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
}

export interface StatsSample {
  read: string;
  preread: string;
  pids_stats: { current?: number; limit?: number };
  blkio_stats: Record<string, BlkioEntry[] | null>;
  num_procs: number;
  storage_stats: Record<string, never>;
  cpu_stats: CpuStats;
  precpu_stats: CpuStats;
  memory_stats: { usage?: number; max_usage?: number; failcnt?: number; stats?: Record<string, number>; limit?: number };
  networks?: Record<string, NetworkStats>;
}

const NANOS_PER_TICK = 1e9 / 100; // USER_HZ is 100 on Linux
const ZERO_TIME = "0001-01-01T00:00:00Z";

export const EMPTY_CPU: CpuStats = { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };

/** Reads into one buffer: samples are taken one at a time, on the one JavaScript thread. */
const buffer = Buffer.alloc(64 * 1024);

/** Open descriptors of the files one container's samples read; absent files are remembered as such. */
class OpenFiles {
  readonly #fds = new Map<string, number | null>();

  read(path: string): string | undefined {
    let fd = this.#fds.get(path);
    if (fd === undefined) {
      try {
        fd = openSync(path, "r");
      } catch {
        fd = null;
      }
      this.#fds.set(path, fd);
    }
    if (fd === null) return undefined;
    try {
      return buffer.toString("utf8", 0, readSync(fd, buffer, 0, buffer.length, 0));
    } catch {
      return undefined;
    }
  }

  close(): void {
    for (const fd of this.#fds.values()) if (fd !== null) closeSync(fd);
    this.#fds.clear();
  }
}

function number(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text.trim());
  return Number.isFinite(value) ? value : undefined;
}

/** "key value" lines (memory.stat, cpu.stat, cpuacct.stat) as a map. */
function keyed(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? "").split("\n")) {
    const [key, value] = line.split(" ");
    if (key && value !== undefined) out[key] = Number(value);
  }
  return out;
}

let systemUsage = { at: 0, nanos: 0 };
const CPUS = availableParallelism();

/**
 * The host's busy and idle time, in nanoseconds: the denominator of Docker's CPU %. One read
 * serves every stream sampled in the same few milliseconds (they tick together).
 */
function systemCpuUsage(): number {
  const now = performance.now();
  if (now - systemUsage.at > 5) {
    const fields = readFileSync("/proc/stat", "utf8").split("\n", 1)[0].trim().split(/\s+/).slice(1, 8).map(Number);
    systemUsage = { at: now, nanos: fields.reduce((sum, ticks) => sum + ticks, 0) * NANOS_PER_TICK };
  }
  return systemUsage.nanos;
}

/** The container's interfaces as its network namespace counts them (lo left out, as Docker does). */
function networkStats(text: string | undefined): Record<string, NetworkStats> | undefined {
  if (text === undefined) return undefined;
  const out: Record<string, NetworkStats> = {};
  for (const line of text.split("\n").slice(2)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === "lo") continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    out[name] = { rx_bytes: f[0], rx_packets: f[1], rx_errors: f[2], rx_dropped: f[3], tx_bytes: f[8], tx_packets: f[9], tx_errors: f[10], tx_dropped: f[11] };
  }
  return out;
}

function v1Blkio(text: string | undefined): BlkioEntry[] {
  const entries: BlkioEntry[] = [];
  for (const line of (text ?? "").split("\n")) {
    const [device, op, value] = line.split(" ");
    if (!device?.includes(":") || value === undefined) continue;
    const [major, minor] = device.split(":").map(Number);
    entries.push({ major, minor, op, value: Number(value) });
  }
  return entries;
}

function v2Blkio(text: string | undefined): { bytes: BlkioEntry[]; ios: BlkioEntry[] } {
  const bytes: BlkioEntry[] = [];
  const ios: BlkioEntry[] = [];
  for (const line of (text ?? "").split("\n")) {
    const [device, ...pairs] = line.split(" ");
    if (!device?.includes(":")) continue;
    const [major, minor] = device.split(":").map(Number);
    const values = Object.fromEntries(pairs.map((pair) => pair.split("=")).map(([k, v]) => [k, Number(v)]));
    bytes.push({ major, minor, op: "read", value: values.rbytes ?? 0 }, { major, minor, op: "write", value: values.wbytes ?? 0 });
    ios.push({ major, minor, op: "read", value: values.rios ?? 0 }, { major, minor, op: "write", value: values.wios ?? 0 });
  }
  return { bytes, ios };
}

const cappedLimit = (limit: number | undefined) => (limit === undefined ? undefined : Math.min(limit, totalmem()));

/** A file of `dir` (undefined when the host has no such controller). */
type Read = (dir: string | undefined, file: string) => string | undefined;

/** The samples of one running container, for as long as a client follows them; `close` when it stops. */
export class StatsReader {
  readonly #files = new OpenFiles();
  readonly #read: Read = (dir, file) => (dir === undefined ? undefined : this.#files.read(join(dir, file)));

  constructor(
    private readonly cgroups: ContainerCgroups,
    private readonly path: string,
    private readonly pid: number,
  ) {}

  /** One sample; `previous` becomes its precpu_stats (Docker's CPU % is the change between the two). */
  sample(previous?: StatsSample): StatsSample {
    const { cgroups, path } = this;
    const sample = cgroups.version === 2 ? v2Sample(this.#read, cgroups.dirOf(path, "memory")) : v1Sample(this.#read, cgroups, path);
    return {
      read: new Date().toISOString(),
      preread: previous?.read ?? ZERO_TIME,
      ...sample,
      num_procs: 0,
      storage_stats: {},
      precpu_stats: previous?.cpu_stats ?? EMPTY_CPU,
      networks: networkStats(this.#read(`/proc/${this.pid}/net`, "dev")),
    };
  }

  close(): void {
    this.#files.close();
  }
}

type Measured = Pick<StatsSample, "pids_stats" | "blkio_stats" | "cpu_stats" | "memory_stats">;

function v1Sample(read: Read, cgroups: ContainerCgroups, path: string): Measured {
  const cpuacct = cgroups.dirOf(path, "cpuacct");
  const ticks = keyed(read(cpuacct, "cpuacct.stat"));
  const throttling = keyed(read(cgroups.dirOf(path, "cpu"), "cpu.stat"));
  const memory = cgroups.dirOf(path, "memory");
  const pids = cgroups.dirOf(path, "pids");
  const blkio = cgroups.dirOf(path, "blkio");
  const pidsMax = read(pids, "pids.max")?.trim();
  return {
    pids_stats: { current: number(read(pids, "pids.current")), ...(pidsMax && pidsMax !== "max" ? { limit: Number(pidsMax) } : {}) },
    blkio_stats: {
      io_service_bytes_recursive: v1Blkio(read(blkio, "blkio.throttle.io_service_bytes_recursive")),
      io_serviced_recursive: v1Blkio(read(blkio, "blkio.throttle.io_serviced_recursive")),
      io_queue_recursive: [],
      io_service_time_recursive: [],
      io_wait_time_recursive: [],
      io_merged_recursive: [],
      io_time_recursive: [],
      sectors_recursive: [],
    },
    cpu_stats: {
      cpu_usage: {
        total_usage: number(read(cpuacct, "cpuacct.usage")) ?? 0,
        percpu_usage: (read(cpuacct, "cpuacct.usage_percpu") ?? "").trim().split(/\s+/).filter(Boolean).map(Number),
        usage_in_kernelmode: (ticks.system ?? 0) * NANOS_PER_TICK,
        usage_in_usermode: (ticks.user ?? 0) * NANOS_PER_TICK,
      },
      system_cpu_usage: systemCpuUsage(),
      online_cpus: CPUS,
      throttling_data: { periods: throttling.nr_periods ?? 0, throttled_periods: throttling.nr_throttled ?? 0, throttled_time: throttling.throttled_time ?? 0 },
    },
    memory_stats: {
      usage: number(read(memory, "memory.usage_in_bytes")),
      max_usage: number(read(memory, "memory.max_usage_in_bytes")),
      failcnt: number(read(memory, "memory.failcnt")),
      stats: keyed(read(memory, "memory.stat")),
      limit: cappedLimit(number(read(memory, "memory.limit_in_bytes"))),
    },
  };
}

function v2Sample(read: Read, dir: string | undefined): Measured {
  const cpu = keyed(read(dir, "cpu.stat"));
  const pidsMax = read(dir, "pids.max")?.trim();
  const memoryMax = read(dir, "memory.max")?.trim();
  const io = v2Blkio(read(dir, "io.stat"));
  return {
    pids_stats: { current: number(read(dir, "pids.current")), ...(pidsMax && pidsMax !== "max" ? { limit: Number(pidsMax) } : {}) },
    blkio_stats: {
      io_service_bytes_recursive: io.bytes,
      io_serviced_recursive: io.ios,
      io_queue_recursive: null,
      io_service_time_recursive: null,
      io_wait_time_recursive: null,
      io_merged_recursive: null,
      io_time_recursive: null,
      sectors_recursive: null,
    },
    cpu_stats: {
      cpu_usage: { total_usage: (cpu.usage_usec ?? 0) * 1000, usage_in_kernelmode: (cpu.system_usec ?? 0) * 1000, usage_in_usermode: (cpu.user_usec ?? 0) * 1000 },
      system_cpu_usage: systemCpuUsage(),
      online_cpus: CPUS,
      throttling_data: { periods: cpu.nr_periods ?? 0, throttled_periods: cpu.nr_throttled ?? 0, throttled_time: (cpu.throttled_usec ?? 0) * 1000 },
    },
    memory_stats: {
      usage: number(read(dir, "memory.current")),
      stats: keyed(read(dir, "memory.stat")),
      limit: cappedLimit(memoryMax === undefined || memoryMax === "max" ? totalmem() : Number(memoryMax)),
    },
  };
}
