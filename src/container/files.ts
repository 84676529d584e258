/**
 * `docker cp` on the engine side: stat a path in a container, stream it out as a tar, extract
 * a tar into a directory of it; for running and stopped containers alike (./rootfs-views.ts).
 * Every path is resolved inside the container's root with resolveInRoot, symlinks included,
 * so a link such as /etc -> ../../.. means the container's own "/" and never the host's (the
 * CVE-2018-15664 class); the container cannot swap a path under us since it is frozen.
 * Nothing of the container is ever executed or loaded by the daemon (CVE-2019-14271).
 */
import { lstatSync, type Stats } from "node:fs";
import { join, posix } from "node:path";
import { InvalidArgumentError, NotFoundError } from "../errors.ts";
import { cleanComponents, resolveInRoot } from "../archive/scoped-path.ts";
import { packTree } from "../archive/pack-tree.ts";
import { extractTar } from "../archive/tar-extract.ts";
import { toWebStream } from "../util/web-stream.ts";
import type { RootfsViews } from "./rootfs-views.ts";
import type { ContainerService } from "./service.ts";

/** What the `X-Docker-Container-Path-Stat` header carries, `mode` in Go's os.FileMode bits. */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

export interface ExtractIntoOptions {
  /** Refuse to replace a directory with a non-directory or the reverse (`docker cp` always asks for this). */
  noOverwriteDirNonDir: boolean;
}

export class ContainerFiles {
  constructor(
    private readonly containers: ContainerService,
    private readonly views: RootfsViews,
  ) {}

  async stat(ref: string, path: string): Promise<PathStat> {
    const record = this.containers.get(ref);
    const view = await this.views.acquire(record);
    try {
      return locate(view.root, path, ref).stat;
    } finally {
      await view.release();
    }
  }

  /** The path's stat and its tar; the container stays frozen (or mounted) until the stream ends or is canceled. */
  async archive(ref: string, path: string): Promise<{ stat: PathStat; tar: ReadableStream<Uint8Array> }> {
    const record = this.containers.get(ref);
    const view = await this.views.acquire(record);
    let located: Located;
    try {
      located = locate(view.root, path, ref);
    } catch (err) {
      await view.release();
      throw err;
    }
    const containerPath = `/${posix.relative(view.root, located.hostPath)}`;
    // Kernel files under a /proc or /sys mount are left out; the mount point itself stays.
    const skip = (archivePath: string) => {
      const inside = posix.join(containerPath, archivePath.slice(located.stat.name.length + 1));
      return view.pseudoMounts.some((mount) => inside.startsWith(`${mount}/`));
    };
    const tar = toWebStream(packTree(located.hostPath, { name: located.stat.name, skip }) as AsyncIterable<Uint8Array>, () => view.release());
    this.containers.announce(record, "archive-path", { path });
    return { stat: located.stat, tar };
  }

  /** Extracts `tar` into the directory at `path`, with the same hostile-archive rules as a layer. */
  async extract(ref: string, path: string, tar: AsyncIterable<Uint8Array>, options: ExtractIntoOptions): Promise<void> {
    const record = this.containers.get(ref);
    const view = await this.views.acquire(record);
    try {
      const { hostPath, isDirectory } = locate(view.root, path, ref, true);
      if (!isDirectory) throw new InvalidArgumentError(`extraction point is not a directory: ${path}`);
      await extractTar(tar, hostPath, { whiteouts: "none", noOverwriteDirNonDir: options.noOverwriteDirNonDir });
      this.containers.announce(record, "extract-to-dir", { path });
    } finally {
      await view.release();
    }
  }
}

interface Located {
  hostPath: string;
  isDirectory: boolean;
  stat: PathStat;
}

/**
 * The host path of a container path and its stat. Like docker, a final symlink is the link
 * itself unless the path ends in "/" or "/." (or `follow`, for an extraction target).
 */
function locate(root: string, path: string, ref: string, follow = false): Located {
  const components = cleanComponents(path);
  const followFinal = follow || path.endsWith("/") || path.endsWith("/.") || components.length === 0;
  const base = followFinal ? undefined : components.pop();
  const parent = resolveInRoot(root, components);
  // A running container's root is the magic link /proc/<pid>/root: "/." is the directory it leads to.
  const hostPath = base !== undefined ? join(parent, base) : parent === root ? `${root}/.` : parent;
  const stats = lstatSync(hostPath, { throwIfNoEntry: false });
  if (!stats) throw new NotFoundError(`Could not find the file ${path} in container ${ref}`);
  const linkTarget = stats.isSymbolicLink() ? `/${posix.relative(root, resolveInRoot(root, [...components, base!]))}` : "";
  const name = posix.basename(posix.join("/", path)) || ".";
  return { hostPath, isDirectory: stats.isDirectory(), stat: { name, size: stats.size, mode: goFileMode(stats), mtime: stats.mtime.toISOString(), linkTarget } };
}

const GO_MODE_DIR = 2 ** 31;
const GO_MODE_SYMLINK = 2 ** 27;
const GO_MODE_DEVICE = 2 ** 26;
const GO_MODE_NAMED_PIPE = 2 ** 25;
const GO_MODE_SOCKET = 2 ** 24;
const GO_MODE_SETUID = 2 ** 23;
const GO_MODE_SETGID = 2 ** 22;
const GO_MODE_CHAR_DEVICE = 2 ** 21;
const GO_MODE_STICKY = 2 ** 20;

/** Unix mode bits as Go's os.FileMode, which is what docker clients decode. */
function goFileMode(stats: Stats): number {
  let mode = stats.mode & 0o777;
  if (stats.isDirectory()) mode += GO_MODE_DIR;
  if (stats.isSymbolicLink()) mode += GO_MODE_SYMLINK;
  if (stats.isBlockDevice()) mode += GO_MODE_DEVICE;
  if (stats.isCharacterDevice()) mode += GO_MODE_DEVICE + GO_MODE_CHAR_DEVICE;
  if (stats.isFIFO()) mode += GO_MODE_NAMED_PIPE;
  if (stats.isSocket()) mode += GO_MODE_SOCKET;
  if (stats.mode & 0o4000) mode += GO_MODE_SETUID;
  if (stats.mode & 0o2000) mode += GO_MODE_SETGID;
  if (stats.mode & 0o1000) mode += GO_MODE_STICKY;
  return mode;
}
