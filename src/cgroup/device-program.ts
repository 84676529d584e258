/**
 * Device rules as an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE: what cgroup v2 has in
 * place of v1's devices.allow. The kernel runs it on every open and mknod of a device node by
 * a process in the cgroup, with `struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32
 * minor; }` in r1 (access_type: device type in the low 16 bits, 1 block, 2 char; access in
 * the high 16, 1 mknod, 2 read, 4 write); it returns 1 to allow, 0 to deny. Built here, one
 * block per rule, first match allows, the rest denies (runc's devicefilter has this shape).
 */
import type { DeviceRule } from "./device-rules.ts";

const BPF_DEVCG_DEV_BLOCK = 1;
const BPF_DEVCG_DEV_CHAR = 2;
const ACCESS: Record<string, number> = { m: 1, r: 2, w: 4 };

/** eBPF opcodes used (linux/bpf.h: class | op | source). */
const LDX_MEM_W = 0x61;
const ALU64_AND_K = 0x57;
const ALU64_RSH_K = 0x77;
const ALU64_MOV_X = 0xbf;
const ALU64_MOV_K = 0xb7;
const JMP_JNE_K = 0x55;
const JMP_EXIT = 0x95;

interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

const insn = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });

/** The instructions of one rule's block; `skip` is filled in with the jump past the block. */
function ruleBlock(rule: DeviceRule): Insn[] {
  const block: Insn[] = [];
  if (rule.type !== "a") block.push(insn(JMP_JNE_K, 2, 0, 0, rule.type === "b" ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
  const allowed = [...rule.access].reduce((bits, letter) => bits | (ACCESS[letter] ?? 0), 0);
  if (allowed !== 7) {
    // Every access asked for must be allowed: (asked & ~allowed) == 0.
    block.push(insn(ALU64_MOV_X, 1, 3, 0, 0), insn(ALU64_AND_K, 1, 0, 0, ~allowed & 7), insn(JMP_JNE_K, 1, 0, 0, 0));
  }
  if (rule.major !== "*") block.push(insn(JMP_JNE_K, 4, 0, 0, rule.major));
  if (rule.minor !== "*") block.push(insn(JMP_JNE_K, 5, 0, 0, rule.minor));
  block.push(insn(ALU64_MOV_K, 0, 0, 0, 1), insn(JMP_EXIT, 0, 0, 0, 0));
  // Each conditional jump leaves the block: to the instruction after its last one.
  block.forEach((i, at) => {
    if (i.code === JMP_JNE_K) i.off = block.length - at - 1;
  });
  return block;
}

/** The program for `rules` (allow rules, as bunker's are: default deny), as the kernel's 8-byte instructions. */
export function deviceProgram(rules: DeviceRule[]): Uint8Array {
  const insns: Insn[] = [
    insn(LDX_MEM_W, 2, 1, 0, 0), // r2 = access_type
    insn(ALU64_AND_K, 2, 0, 0, 0xffff), // r2 = device type
    insn(LDX_MEM_W, 3, 1, 0, 0),
    insn(ALU64_RSH_K, 3, 0, 0, 16), // r3 = access asked
    insn(LDX_MEM_W, 4, 1, 4, 0), // r4 = major
    insn(LDX_MEM_W, 5, 1, 8, 0), // r5 = minor
    ...rules.flatMap(ruleBlock),
    insn(ALU64_MOV_K, 0, 0, 0, 0),
    insn(JMP_EXIT, 0, 0, 0, 0),
  ];
  const program = new DataView(new ArrayBuffer(insns.length * 8));
  insns.forEach((i, at) => {
    program.setUint8(at * 8, i.code);
    program.setUint8(at * 8 + 1, (i.src << 4) | i.dst);
    program.setInt16(at * 8 + 2, i.off, true);
    program.setInt32(at * 8 + 4, i.imm, true);
  });
  return new Uint8Array(program.buffer);
}
