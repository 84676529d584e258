/**
 * Docker's profile selection for one container (capabilities, arch, kernel version), the
 * profile reader's refusals, the capability arithmetic of --cap-add/--cap-drop/--privileged,
 * and libseccomp's compiled program: a real BPF program of Docker's size.
 */
import { describe, expect, test } from "bun:test";
import { DEFAULT_SECCOMP_PROFILE } from "../../src/security/default-seccomp-profile.ts";
import { kernelVersion, parseSeccompProfile, selectRules } from "../../src/security/seccomp-profile.ts";
import { seccompProgram } from "../../src/security/seccomp.ts";
import { capabilitiesOf, DEFAULT_CAPABILITIES, parseSecurityOpts } from "../../src/security/privileges.ts";

const rulesFor = (caps: string[]) => selectRules(DEFAULT_SECCOMP_PROFILE, caps, [6, 1]);
const names = (caps: string[]) => new Set(rulesFor(caps).rules.filter((r) => r.action === "SCMP_ACT_ALLOW" && r.args.length === 0).map((r) => r.name));

describe("the default profile", () => {
  test("default caps: no namespaces, mounts, keyring or bpf; clone only without namespace flags; clone3 ENOSYS", () => {
    const allowed = names(DEFAULT_CAPABILITIES);
    for (const call of ["unshare", "setns", "mount", "umount2", "bpf", "keyctl", "add_key", "kexec_load", "userfaultfd", "clock_settime"]) expect(allowed.has(call)).toBe(false);
    for (const call of ["read", "execve", "chroot", "ptrace", "close_range", "setresuid"]) expect(allowed.has(call)).toBe(true);
    const rules = rulesFor(DEFAULT_CAPABILITIES).rules;
    expect(rules.find((r) => r.name === "clone")?.args).toEqual([{ index: 0, value: 0x7e020000, op: "SCMP_CMP_MASKED_EQ" }]);
    expect(rules.find((r) => r.name === "clone3")).toMatchObject({ action: "SCMP_ACT_ERRNO", errnoRet: 38 });
    expect(rules.filter((r) => r.name === "personality").map((r) => r.args[0].value)).toEqual([0, 8, 0x20000, 0x20008, 0xffffffff]);
    expect(rulesFor(DEFAULT_CAPABILITIES).extraArches).toEqual(["SCMP_ARCH_X86", "SCMP_ARCH_X32"]);
  });

  test("CAP_SYS_ADMIN opens mount, unshare and unconditional clone; CAP_SYS_TIME the clock", () => {
    const allowed = names([...DEFAULT_CAPABILITIES, "SYS_ADMIN", "SYS_TIME"]);
    for (const call of ["mount", "unshare", "setns", "clone", "clone3", "clock_settime"]) expect(allowed.has(call)).toBe(true);
    expect(rulesFor([...DEFAULT_CAPABILITIES, "SYS_ADMIN"]).rules.some((r) => r.name === "clone3" && r.action === "SCMP_ACT_ERRNO")).toBe(false);
  });

  test("minKernel: ptrace only from 4.8", () => {
    expect(selectRules(DEFAULT_SECCOMP_PROFILE, DEFAULT_CAPABILITIES, [4, 4]).rules.some((r) => r.name === "ptrace")).toBe(false);
    expect(kernelVersion("6.18.44-fc-v1045")).toEqual([6, 18]);
  });

  test("libseccomp compiles it to a BPF program once, for x86_64, x86 and x32", () => {
    const program = Buffer.from(seccompProgram(DEFAULT_SECCOMP_PROFILE, DEFAULT_CAPABILITIES), "base64");
    expect(program.length % 8).toBe(0);
    expect(program.length / 8).toBeGreaterThan(500);
    expect(program.length / 8).toBeLessThan(4096); // BPF_MAXINSNS
    expect(seccompProgram(DEFAULT_SECCOMP_PROFILE, [...DEFAULT_CAPABILITIES].reverse())).toBe(program.toString("base64"));
  });
});

describe("profiles and options", () => {
  test("a user's profile is read in Docker's format; wrong shapes are refused with Docker's words", () => {
    expect(parseSeccompProfile('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"mkdir","action":"SCMP_ACT_ERRNO"}]}').syscalls).toHaveLength(1);
    expect(() => parseSeccompProfile("{")).toThrow("Decoding seccomp profile failed");
    expect(() => parseSeccompProfile('{"defaultAction":"NOPE"}')).toThrow("unknown defaultAction");
    expect(() => parseSeccompProfile('{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86"],"archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":[]}]}')).toThrow("both 'architectures' and 'archMap'");
    expect(() => parseSeccompProfile('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_ALLOW","args":[{"index":9,"value":1,"op":"SCMP_CMP_EQ"}]}]}')).toThrow("argument index");
  });

  test("--security-opt: unconfined, no-new-privileges, and a privileged container is never filtered", () => {
    expect(parseSecurityOpts(["seccomp=unconfined"], false).seccomp).toBeUndefined();
    expect(parseSecurityOpts(["no-new-privileges"], false)).toMatchObject({ noNewPrivileges: true, seccomp: DEFAULT_SECCOMP_PROFILE });
    expect(parseSecurityOpts(["no-new-privileges:true"], false).noNewPrivileges).toBe(true);
    expect(parseSecurityOpts([], true).seccomp).toBeUndefined();
    expect(() => parseSecurityOpts(["bogus"], false)).toThrow('invalid --security-opt 1: "bogus"');
  });

  test("capabilities: Docker's arithmetic for add, drop, ALL and privileged", () => {
    expect(capabilitiesOf({})).toEqual(expect.arrayContaining(DEFAULT_CAPABILITIES));
    expect(capabilitiesOf({ CapDrop: ["ALL"], CapAdd: ["net_admin", "CAP_SYS_TIME"] })).toEqual(["NET_ADMIN", "SYS_TIME"]);
    expect(capabilitiesOf({ CapDrop: ["chown", "CAP_KILL"] })).not.toContain("CHOWN");
    expect(capabilitiesOf({ CapAdd: ["ALL"], CapDrop: ["MKNOD"] })).not.toContain("MKNOD");
    expect(capabilitiesOf({ CapAdd: ["ALL"] })).toContain("SYS_ADMIN");
    expect(capabilitiesOf({ Privileged: true, CapDrop: ["ALL"] })).toContain("SYS_ADMIN");
    expect(() => capabilitiesOf({ CapAdd: ["FLY"] })).toThrow('unknown capability: "CAP_FLY"');
  });
});
