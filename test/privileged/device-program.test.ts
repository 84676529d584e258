/**
 * The cgroup v2 device rules, on the real kernel: the eBPF program built from the rules is
 * loaded (the kernel's verifier accepts it) and attached to a cgroup of the unified tree, which
 * this hybrid host has beside its v1 hierarchies (a v2 host has it at /sys/fs/cgroup); a shell
 * moved into that cgroup may open and make what the rules allow, and nothing else.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { closeSync, mkdirSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { attachDeviceProgram, loadDeviceProgram } from "../../ffi/bpf.ts";
import { deviceProgram } from "../../src/cgroup/device-program.ts";
import { DEFAULT_DEVICE_RULES, parseDeviceCgroupRule, type DeviceRule } from "../../src/cgroup/device-rules.ts";
import { hostHierarchies } from "../../src/cgroup/hierarchies.ts";

const unified = hostHierarchies().find((h) => h.version === 2);
let dir: string | undefined;
afterEach(() => {
  if (dir) rmdirSync(dir);
  dir = undefined;
});

/** Runs `script` in a shell that first moves itself into a new cgroup gated by `rules`. */
function underRules(rules: DeviceRule[], script: string): string {
  if (!unified) throw new Error("this host has no cgroup2 hierarchy mounted");
  dir = join(unified.mountPoint, `bunker-device-test-${process.pid}`);
  mkdirSync(dir);
  const program = loadDeviceProgram(deviceProgram(rules));
  try {
    attachDeviceProgram(dir, program);
  } finally {
    closeSync(program); // the attachment keeps it
  }
  const shell = Bun.spawnSync(["sh", "-c", `echo $$ > ${dir}/cgroup.procs; ${script}`]);
  return shell.stdout.toString();
}

const can = (what: string, command: string) => `${command} 2>/dev/null && echo "${what} yes" || echo "${what} no"`;

describe("the device program", () => {
  test("the default rules: the harmless nodes open, a disk does not; any node can be made but not opened", () => {
    const out = underRules(DEFAULT_DEVICE_RULES, [
      can("null", "head -c1 /dev/null"),
      can("zero", "head -c1 /dev/zero >/dev/null"),
      can("loop", "head -c1 /dev/loop0 >/dev/null"),
      can("mknod", `mknod /tmp/bunker-dev-$$ b 7 0`),
      can("made", `head -c1 /tmp/bunker-dev-$$ >/dev/null`),
      `rm -f /tmp/bunker-dev-$$`,
    ].join("; "));
    expect(out).toBe("null yes\nzero yes\nloop no\nmknod yes\nmade no\n");
  });

  test("a --device-cgroup-rule with read access only: the device reads, and refuses writes", () => {
    const out = underRules([...DEFAULT_DEVICE_RULES, parseDeviceCgroupRule("b 7:* r")], [
      can("read", "head -c1 /dev/loop0 >/dev/null"),
      can("write", "printf x > /dev/loop0"),
    ].join("; "));
    expect(out).toBe("read yes\nwrite no\n");
  });

  test("no rules: nothing at all, not even /dev/null", () => {
    expect(underRules([], can("null", "head -c1 /dev/null"))).toBe("null no\n");
  });
});
