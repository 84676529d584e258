/**
 * bpf(2) for cgroup device programs: load one (BPF_PROG_LOAD, type CGROUP_DEVICE), and attach
 * it to cgroup v2 directories (BPF_PROG_ATTACH, BPF_CGROUP_DEVICE). Loading runs the kernel's
 * verifier, most of the cost; one loaded program can be attached to any number of cgroups,
 * each attachment holding a reference of its own that goes with its cgroup.
 */
import { closeSync, constants, openSync } from "node:fs";
import { ptr, read } from "bun:ffi";
import { libc } from "./libc.ts";
import { SyscallError } from "./sys.ts";

const SYS_BPF = 321;
const BPF_PROG_LOAD = 5;
const BPF_PROG_ATTACH = 8;
const BPF_PROG_TYPE_CGROUP_DEVICE = 15;
const BPF_CGROUP_DEVICE = 6;
/** Lets a container's own child cgroups attach programs of theirs below it. */
const BPF_F_ALLOW_MULTI = 2;
const ATTR_SIZE = 128;

function bpf(command: number, attr: DataView, what: string): number {
  const ret = Number(libc.syscall(SYS_BPF, command, ptr(attr), ATTR_SIZE));
  if (ret < 0) throw new SyscallError(what, read.i32(libc.__errno_location()!, 0));
  return ret;
}

/** BPF_PROG_LOAD of a cgroup device program; with `log`, the verifier writes its reasoning there. */
function load(program: Uint8Array, log?: Buffer): number {
  const license = Buffer.from("Apache\0");
  const attr = new DataView(new ArrayBuffer(ATTR_SIZE));
  attr.setUint32(0, BPF_PROG_TYPE_CGROUP_DEVICE, true);
  attr.setUint32(4, program.length / 8, true);
  attr.setBigUint64(8, BigInt(ptr(program)), true);
  attr.setBigUint64(16, BigInt(ptr(license)), true);
  if (log) {
    attr.setUint32(24, 1, true);
    attr.setUint32(28, log.length, true);
    attr.setBigUint64(32, BigInt(ptr(log)), true);
  }
  return bpf(BPF_PROG_LOAD, attr, "bpf(BPF_PROG_LOAD)");
}

/** Loads `program` (8-byte eBPF instructions); the descriptor is the caller's to close. */
export function loadDeviceProgram(program: Uint8Array): number {
  try {
    return load(program);
  } catch (err) {
    // Loaded again only to say why: the verifier's log, which a program that loads never needs.
    const log = Buffer.alloc(1 << 20);
    try {
      closeSync(load(program, log));
    } catch {
      // the same refusal, now with its reason
    }
    const verifier = log.toString("utf8", 0, log.indexOf(0)).trim().split("\n").slice(-3).join(" ");
    throw verifier ? new Error(`${(err as Error).message}: ${verifier}`) : err;
  }
}

/** Attaches the loaded program `progFd` to the cgroup at `cgroupDir`. */
export function attachDeviceProgram(cgroupDir: string, progFd: number): void {
  const cgroupFd = openSync(cgroupDir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    const attach = new DataView(new ArrayBuffer(ATTR_SIZE));
    attach.setUint32(0, cgroupFd, true);
    attach.setUint32(4, progFd, true);
    attach.setUint32(8, BPF_CGROUP_DEVICE, true);
    attach.setUint32(12, BPF_F_ALLOW_MULTI, true);
    bpf(BPF_PROG_ATTACH, attach, "bpf(BPF_PROG_ATTACH)");
  } finally {
    closeSync(cgroupFd);
  }
}
