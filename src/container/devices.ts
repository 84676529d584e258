/**
 * Host devices given to a container: `--device HOST[:CONTAINER[:rwm]]` and, with
 * `--privileged`, every device the host's /dev has. Each becomes a node stage 3 makes in the
 * container's /dev and a rule in its device cgroup. Read from the host at start, so a device
 * plugged in since create is what the container gets.
 */
import { lstatSync, readdirSync, type BigIntStats } from "node:fs";
import { join } from "node:path";
import { InvalidArgumentError } from "../errors.ts";
import type { DeviceRule } from "../cgroup/device-rules.ts";
import type { LaunchDevice } from "../start/spec.ts";
import { splitDeviceNumber } from "../util/device-number.ts";

export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

/** What runc leaves out of a privileged container's /dev: its own mounts and links. */
const SKIPPED = new Set(["pts", "shm", "fd", "mqueue", ".lxc", ".udev", "console", "ptmx"]);

function deviceOf(stat: BigIntStats): { type: "c" | "b"; major: number; minor: number } | undefined {
  if (!stat.isCharacterDevice() && !stat.isBlockDevice()) return undefined;
  return { type: stat.isBlockDevice() ? "b" : "c", ...splitDeviceNumber(stat.rdev) };
}

function launchDevice(path: string, stat: BigIntStats): LaunchDevice | undefined {
  const device = deviceOf(stat);
  return device && { path, ...device, mode: Number(stat.mode & 0o7777n), uid: Number(stat.uid), gid: Number(stat.gid) };
}

/** `--device` entries: the nodes to make and the rules that let the container use them. */
export function mappedDevices(mappings: DeviceMapping[]): { nodes: LaunchDevice[]; rules: DeviceRule[] } {
  const nodes: LaunchDevice[] = [];
  const rules: DeviceRule[] = [];
  for (const mapping of mappings) {
    let stat;
    try {
      stat = lstatSync(mapping.PathOnHost, { bigint: true });
    } catch {
      throw new InvalidArgumentError(`error gathering device information while adding custom device "${mapping.PathOnHost}": no such file or directory`);
    }
    const node = launchDevice(mapping.PathInContainer || mapping.PathOnHost, stat);
    if (!node) throw new InvalidArgumentError(`error gathering device information while adding custom device "${mapping.PathOnHost}": not a device node`);
    nodes.push(node);
    rules.push({ type: node.type, major: node.major, minor: node.minor, access: mapping.CgroupPermissions || "rwm" });
  }
  return { nodes, rules };
}

/** Every character and block device under the host's /dev, for `--privileged`. */
export function hostDevices(dir = "/dev", inContainer = "/dev"): LaunchDevice[] {
  const found: LaunchDevice[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (SKIPPED.has(entry.name) && dir === "/dev") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...hostDevices(path, join(inContainer, entry.name)));
    else if (entry.isCharacterDevice() || entry.isBlockDevice()) {
      const node = launchDevice(join(inContainer, entry.name), lstatSync(path, { bigint: true }));
      if (node) found.push(node);
    }
  }
  return found;
}
