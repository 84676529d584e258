/**
 * The local driver's options (`volume create -o type=tmpfs -o device=tmpfs -o o=size=64m`,
 * `type=none,o=bind,device=/path`): what such a volume is, mounted on its `_data` by mount(2)
 * when the first container that uses it starts and unmounted when the last one exits, as
 * Docker's local driver does. A volume without options is its `_data` directory as it is.
 */
import * as sys from "../../ffi/sys.ts";
import * as C from "../../ffi/constants.ts";
import { InvalidArgumentError } from "../errors.ts";
import { mountPoints } from "../util/mount-points.ts";
import type { VolumeOptions } from "./store.ts";

const OPTION_KEYS = new Set(["type", "device", "o"]);
const FLAG_WORDS: Record<string, number> = { bind: C.MS_BIND, rbind: C.MS_BIND | C.MS_REC, ro: C.MS_RDONLY, nosuid: C.MS_NOSUID, nodev: C.MS_NODEV, noexec: C.MS_NOEXEC };

/** Docker's checks at create, in its words: only type, device and o; type or o need a device. */
export function checkVolumeOptions(name: string, options: Record<string, string>): VolumeOptions {
  for (const key of Object.keys(options)) if (!OPTION_KEYS.has(key)) throw new InvalidArgumentError(`create ${name}: invalid option: "${key}"`);
  if ((options.type || options.o || "").length > 0 && !options.device) throw new InvalidArgumentError(`create ${name}: missing required option: "device"`);
  return { ...(options.type ? { type: options.type } : {}), ...(options.device ? { device: options.device } : {}), ...(options.o ? { o: options.o } : {}) };
}

/** Volumes by their data directory, each with the containers using it. */
export class VolumeMounts {
  readonly #users = new Map<string, Set<string>>();

  /** Mounts the volume for `containerId` unless it is already (another container, or one that outlived a daemon). */
  acquire(dataPath: string, options: VolumeOptions, containerId: string): void {
    const users = this.#users.get(dataPath) ?? new Set<string>();
    if (users.size === 0 && !mountPoints().includes(dataPath)) mountVolume(options, dataPath);
    users.add(containerId);
    this.#users.set(dataPath, users);
  }

  /** The container is done with it: the last one out unmounts. */
  release(dataPath: string, containerId: string): void {
    const users = this.#users.get(dataPath);
    if (!users?.delete(containerId) || users.size > 0) return;
    this.#users.delete(dataPath);
    unmount(dataPath);
  }

  /** At daemon start: a mounted volume that no surviving container uses is what a killed daemon left. */
  unmountUnused(dataPath: string): void {
    if (!this.#users.has(dataPath) && mountPoints().includes(dataPath)) unmount(dataPath);
  }
}

function mountVolume(options: VolumeOptions, target: string): void {
  let flags = 0;
  const data: string[] = [];
  for (const word of (options.o ?? "").split(",").filter(Boolean)) {
    if (word in FLAG_WORDS) flags |= FLAG_WORDS[word]!;
    else data.push(word);
  }
  const bind = (flags & C.MS_BIND) !== 0;
  sys.mount(options.device ?? null, target, bind ? null : (options.type ?? null), flags & ~C.MS_RDONLY, data.length > 0 ? data.join(",") : null);
  // A bind takes read-only only on a remount, as mount(8) does it.
  if (flags & C.MS_RDONLY) sys.mount(null, target, null, (bind ? C.MS_BIND : 0) | C.MS_REMOUNT | C.MS_RDONLY);
}

function unmount(target: string): void {
  try {
    sys.umount2(target, C.MNT_DETACH);
  } catch {
    // Already gone (a host that unmounted it): nothing to undo.
  }
}
