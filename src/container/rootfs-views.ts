/**
 * Host access to a container's merged filesystem, for `cp`. A running container's tree is
 * its init's root, /proc/<pid>/root, with the container frozen while it is used; a stopped
 * one is mounted by a helper in a mount namespace of its own (src/start/rootfs-view.ts).
 * Concurrent users of one container share one view, counted, so a second `cp` neither thaws
 * the container under the first nor mounts the same upper dir twice.
 */
import { mkdirSync, readFileSync } from "node:fs";
import type { Subprocess } from "bun";
import { EngineError } from "../errors.ts";
import type { ImageStore } from "../image/image-store.ts";
import { containerLowers } from "./init-layer.ts";
import { selfCommand } from "../util/self.ts";
import { containerPaths } from "../start/1-prepare-rootfs.ts";
import { ROOTFS_VIEW_ENV, ROOTFS_VIEW_READY, STAGE_ROOTFS_VIEW, type RootfsViewSpec } from "../start/rootfs-view.ts";
import type { ContainerRecord } from "./record.ts";
import type { ContainerService } from "./service.ts";

export interface RootfsView {
  /** The host path that is the container's "/"; resolve everything below it with resolveInRoot. */
  root: string;
  /** Container paths of /proc and /sys mounts: kernel files with no content to copy, and no end to some. */
  pseudoMounts: string[];
}

const PSEUDO_FILESYSTEMS = new Set(["proc", "sysfs"]);

interface Shared {
  view: Promise<RootfsView & { close(): Promise<void> }>;
  users: number;
}

export class RootfsViews {
  readonly #shared = new Map<string, Shared>();

  constructor(
    private readonly containers: ContainerService,
    private readonly images: ImageStore,
    private readonly containerDir: (record: ContainerRecord) => string,
  ) {}

  /**
   * The container's tree until `release` is called (once; later calls do nothing). Callers
   * release on every path out, a client's disconnect included.
   */
  async acquire(record: ContainerRecord): Promise<RootfsView & { release(): Promise<void> }> {
    let shared = this.#shared.get(record.Id);
    if (!shared) {
      const opened: Shared = { view: this.#open(record), users: 0 };
      this.#shared.set(record.Id, opened);
      opened.view.catch(() => this.#shared.delete(record.Id));
      shared = opened;
    }
    const held = shared;
    held.users++;
    let view: RootfsView & { close(): Promise<void> };
    try {
      view = await held.view;
    } catch (err) {
      held.users--;
      throw err;
    }
    let released = false;
    return {
      root: view.root,
      pseudoMounts: view.pseudoMounts,
      release: async () => {
        if (released) return;
        released = true;
        if (--held.users > 0) return;
        this.#shared.delete(record.Id);
        await view.close();
      },
    };
  }

  #open(record: ContainerRecord): Promise<RootfsView & { close(): Promise<void> }> {
    if (record.State.Status === "running") return this.#openRunning(record);
    // Taken before anything awaits, so a start cannot slip in and mount the same upper dir.
    this.containers.rootfsInUse.add(record.Id);
    return this.#openStopped(record).catch((err) => {
      this.containers.rootfsInUse.delete(record.Id);
      throw err;
    });
  }

  async #openRunning(record: ContainerRecord): Promise<RootfsView & { close(): Promise<void> }> {
    const thaw = await this.containers.resources.freezeBriefly(record);
    const pid = record.State.Pid;
    return { root: `/proc/${pid}/root`, pseudoMounts: pseudoMounts(pid), close: async () => thaw() };
  }

  async #openStopped(record: ContainerRecord): Promise<RootfsView & { close(): Promise<void> }> {
    const paths = containerPaths(this.containerDir(record));
    // A container never started has no upper dir yet; cp into it creates what a start would.
    for (const dir of [paths.rootfs, paths.upper, paths.work]) mkdirSync(dir, { recursive: true });
    const spec: RootfsViewSpec = {
      rootfs: paths.rootfs,
      layersDir: this.images.layers.layersDir,
      lowerDirs: containerLowers(this.containerDir(record), this.images.layers, this.images.get(record.Image).config.rootfs.diff_ids),
      upperDir: paths.upper,
      workDir: paths.work,
    };
    const helper = Bun.spawn([...selfCommand(), STAGE_ROOTFS_VIEW], {
      env: { [ROOTFS_VIEW_ENV]: JSON.stringify(spec) },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    const close = async () => {
      await helper.stdin.end();
      await helper.exited;
      this.containers.rootfsInUse.delete(record.Id);
    };
    const line = await firstLine(helper);
    if (line !== ROOTFS_VIEW_READY) {
      helper.kill(9);
      await helper.exited;
      const reason = (await new Response(helper.stderr).text()).trim();
      throw new EngineError(`cannot mount the filesystem of container ${record.Id}: ${reason || "the helper exited"}`);
    }
    return { root: `/proc/${helper.pid}/root${paths.rootfs}`, pseudoMounts: [], close };
  }
}

/** From the container's mountinfo: "id parent dev root mountpoint options ... - fstype source ...". */
function pseudoMounts(pid: number): string[] {
  return readFileSync(`/proc/${pid}/mountinfo`, "utf8")
    .split("\n")
    .map((line) => line.split(" "))
    .filter((fields) => PSEUDO_FILESYSTEMS.has(fields[fields.indexOf("-") + 1]))
    .map((fields) => fields[4]);
}

async function firstLine(helper: Subprocess<"pipe", "pipe", "pipe">): Promise<string | undefined> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of helper.stdout) {
    text += decoder.decode(chunk, { stream: true });
    if (text.includes("\n")) break;
  }
  return text.includes("\n") ? text.slice(0, text.indexOf("\n")) : undefined;
}
