/**
 * libseccomp, loaded with dlopen when the daemon first needs a filter. It turns a list of
 * rules into a BPF program (its syscall tables cover x86_64, x86 and x32, and it resolves each
 * name per architecture, as Docker's runc does through the same library); the program is
 * exported as bytes so the daemon compiles a profile once and every container start only
 * installs it (`installSeccompFilter`, one syscall, no library needed in the start stages).
 */
import { closeSync, fstatSync, readSync } from "node:fs";
import { dlopen, FFIType, ptr } from "bun:ffi";
import { libc } from "./libc.ts";

const { i32, u32, ptr: pointer, cstring } = FFIType;

/** libseccomp's scmp_compare values, by Docker's operator names. */
export const SCMP_CMP = { SCMP_CMP_NE: 1, SCMP_CMP_LT: 2, SCMP_CMP_LE: 3, SCMP_CMP_EQ: 4, SCMP_CMP_GE: 5, SCMP_CMP_GT: 6, SCMP_CMP_MASKED_EQ: 7 } as const;

/** libseccomp's architecture tokens (the kernel's AUDIT_ARCH_* values). */
export const SCMP_ARCH: Record<string, number> = { SCMP_ARCH_X86_64: 0xc000003e, SCMP_ARCH_X86: 0x40000003, SCMP_ARCH_X32: 0x4000003e };

/** One rule: `action` (a kernel SECCOMP_RET_* value) for syscall `name` when every comparison holds. */
export interface FilterRule {
  name: string;
  action: number;
  args: { index: number; op: number; a: bigint; b: bigint }[];
}

type Library = ReturnType<typeof open>;
let library: Library | null | undefined;

function open() {
  return dlopen("libseccomp.so.2", {
    seccomp_init: { args: [u32], returns: pointer },
    seccomp_release: { args: [pointer], returns: FFIType.void },
    seccomp_arch_add: { args: [pointer, u32], returns: i32 },
    seccomp_attr_set: { args: [pointer, u32, u32], returns: i32 },
    seccomp_syscall_resolve_name: { args: [cstring], returns: i32 },
    seccomp_rule_add_array: { args: [pointer, u32, i32, u32, pointer], returns: i32 },
    seccomp_export_bpf: { args: [pointer, i32], returns: i32 },
  }).symbols;
}

/** The library, or null where the host has none (the daemon then runs containers unconfined and says so in `info`). */
function seccomp(): Library | null {
  if (library === undefined) {
    try {
      library = open();
    } catch {
      library = null;
    }
  }
  return library;
}

export function seccompAvailable(): boolean {
  return seccomp() !== null;
}

/** The BPF program (an array of 8-byte `struct sock_filter`) for these rules; unknown syscall names are skipped, as runc does. */
export function compileSeccompFilter(defaultAction: number, arches: number[], rules: FilterRule[]): Uint8Array {
  const lib = seccomp();
  if (!lib) throw new Error("libseccomp.so.2 is not installed on this host");
  const ctx = lib.seccomp_init(defaultAction);
  if (!ctx) throw new Error("seccomp_init failed");
  try {
    // A binary tree over the syscall numbers instead of a list: the kernel runs the filter once
    // per syscall number and architecture when it is installed (to cache the plain allows), and
    // on every syscall after; a tree is a few comparisons where a list is hundreds.
    const SCMP_FLTATR_CTL_OPTIMIZE = 8;
    if (lib.seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0) throw new Error("seccomp_attr_set(SCMP_FLTATR_CTL_OPTIMIZE) failed");
    for (const arch of arches) {
      const ret = lib.seccomp_arch_add(ctx, arch);
      if (ret < 0 && ret !== -17 /* -EEXIST: the native one */) throw new Error(`seccomp_arch_add(0x${arch.toString(16)}): error ${-ret}`);
    }
    for (const rule of rules) {
      const nr = lib.seccomp_syscall_resolve_name(Buffer.from(`${rule.name}\0`));
      if (nr === -1) continue; // a syscall this libseccomp does not know
      // struct scmp_arg_cmp { u32 arg; u32 op; u64 datum_a; u64 datum_b; }
      const cmp = new DataView(new ArrayBuffer(24 * Math.max(rule.args.length, 1)));
      rule.args.forEach((arg, i) => {
        cmp.setUint32(i * 24, arg.index, true);
        cmp.setUint32(i * 24 + 4, arg.op, true);
        cmp.setBigUint64(i * 24 + 8, arg.a, true);
        cmp.setBigUint64(i * 24 + 16, arg.b, true);
      });
      const ret = lib.seccomp_rule_add_array(ctx, rule.action, nr, rule.args.length, ptr(cmp));
      if (ret < 0) throw new Error(`seccomp rule for ${rule.name}: error ${-ret}`);
    }
    return exportProgram(lib, ctx);
  } finally {
    lib.seccomp_release(ctx);
  }
}

/** libseccomp writes the program to a descriptor; an anonymous memory file holds it. */
function exportProgram(lib: Library, ctx: NonNullable<ReturnType<Library["seccomp_init"]>>): Uint8Array {
  const fd = libc.memfd_create(Buffer.from("bunker-seccomp\0"), 1 /* MFD_CLOEXEC */);
  if (fd < 0) throw new Error("memfd_create failed");
  try {
    const ret = lib.seccomp_export_bpf(ctx, fd);
    if (ret < 0) throw new Error(`seccomp_export_bpf: error ${-ret}`);
    const program = new Uint8Array(fstatSync(fd).size);
    readSync(fd, program, 0, program.length, 0);
    return program;
  } finally {
    closeSync(fd);
  }
}
