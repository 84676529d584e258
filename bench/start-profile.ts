/**
 * What the resource and security profile adds to each container start, part by part, measured
 * where it happens (an end-to-end `run --rm` varies by more than these parts from one daemon to
 * the next; bench/start-ab.ts shows that noise floor next to its A/B figure):
 *   - the container's cgroups created and removed in every hierarchy this host has, against
 *     only the five (devices, pids, memory, cpu, freezer) of before;
 *   - the cgroup hierarchies mounted read-only in a private cgroup namespace (stage 3);
 *   - Docker's profile installed with seccomp(2) (stage 4), in a child so this process stays free.
 *
 *   bun bench/start-profile.ts [runs]   (root)
 */
import { mkdirSync, rmdirSync, rmSync } from "node:fs";
import * as sys from "../ffi/sys.ts";
import * as C from "../ffi/constants.ts";
import { ContainerCgroups } from "../src/cgroup/container-cgroups.ts";
import { hostHierarchies } from "../src/cgroup/hierarchies.ts";
import { NO_LIMITS } from "../src/cgroup/resources.ts";
import { DEFAULT_CAPABILITIES } from "../src/security/privileges.ts";
import { DEFAULT_SECCOMP_PROFILE } from "../src/security/default-seccomp-profile.ts";
import { seccompProgram } from "../src/security/seccomp.ts";
import { median } from "./timing.ts";

const RUNS = Number(process.argv[2] ?? 50);
const PARENT = `bunker-bench-${process.pid}`;

if (process.argv[2] === "--install-seccomp") {
  // The child: one install of the program in argv[3], timed, then exit.
  const program = new Uint8Array(Buffer.from(process.argv[3], "base64"));
  sys.prctl(C.PR_SET_NO_NEW_PRIVS, 1);
  const started = performance.now();
  sys.installSeccompFilter(program);
  console.log(performance.now() - started);
  process.exit(0);
}

function cgroupCost(hierarchies: ReturnType<typeof hostHierarchies>): number {
  const cgroups = new ContainerCgroups(PARENT, hierarchies);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const path = cgroups.pathFor(`c${i}`);
    const started = performance.now();
    cgroups.create(path, NO_LIMITS, []);
    cgroups.remove(path);
    times.push(performance.now() - started);
  }
  for (const dir of cgroups.dirs(PARENT)) rmdirSync(dir);
  return median(times);
}

function mountCost(): number {
  const mounts = new ContainerCgroups().mounts();
  const target = `/tmp/${PARENT}`;
  const flags = C.MS_NOSUID | C.MS_NODEV | C.MS_NOEXEC;
  sys.unshare(C.CLONE_NEWNS);
  sys.mount(null, "/", null, C.MS_REC | C.MS_PRIVATE);
  mkdirSync(target, { recursive: true });
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    sys.mount("tmpfs", target, "tmpfs", flags, "mode=755");
    for (const mount of mounts) {
      mkdirSync(`${target}/${mount.dir}`);
      sys.mount("cgroup", `${target}/${mount.dir}`, mount.fstype, flags | C.MS_RDONLY, mount.options || null);
    }
    sys.mount(null, target, null, C.MS_REMOUNT | C.MS_RDONLY | flags);
    times.push(performance.now() - started);
    sys.umount2(target, C.MNT_DETACH);
  }
  rmSync(target, { recursive: true, force: true });
  return median(times);
}

function seccompCost(): number {
  const program = seccompProgram(DEFAULT_SECCOMP_PROFILE, DEFAULT_CAPABILITIES);
  const times: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 20); i++) {
    const child = Bun.spawnSync([process.execPath, import.meta.path, "--install-seccomp", program]);
    times.push(Number(child.stdout.toString()));
  }
  return median(times);
}

const all = hostHierarchies();
const five = all.filter((h) => h.version === 1 && ["devices", "pids", "memory", "cpu", "freezer"].some((c) => h.controllers.includes(c)));
const ms = (value: number) => `${value.toFixed(2)} ms`;
const [allCost, fiveCost] = [cgroupCost(all), cgroupCost(five)];
const seccomp = seccompCost();
const mounts = mountCost();
console.log(`per container start, medians of ${RUNS}`);
console.log(`  cgroups in all ${all.length} hierarchies, made and removed   ${ms(allCost)}   (the five of before: ${ms(fiveCost)}; +${ms(allCost - fiveCost)})`);
console.log(`  cgroup namespace mounts (stage 3)                 ${ms(mounts)}`);
console.log(`  seccomp(2) of Docker's profile (stage 4)          ${ms(seccomp)}`);
console.log(`  added in all                                      ${ms(allCost - fiveCost + mounts + seccomp)}`);
