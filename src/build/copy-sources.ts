/**
 * The files of an ADD or COPY step, laid out the way its layer will hold them: copied from
 * the context or another stage, unpacked when ADD is given a local archive, or downloaded
 * when ADD is given a URL.
 */
import { chmodSync, cpSync, mkdirSync, rmSync, statSync } from "node:fs";
import { join, posix } from "node:path";
import { ARCHIVE_HEAD_BYTES, archiveFormat, type ArchiveFormat } from "../archive/archive-format.ts";
import { extractTar } from "../archive/tar-extract.ts";
import { BuildError } from "./build-error.ts";

/** A URL source, downloaded to `path`, to go in under `name` (the URL's file name). */
export interface Download {
  path: string;
  name: string;
}

/**
 * Lays the sources out in `work`: at `destination`, or inside it when it is a directory. A
 * download goes in under its URL's file name, mode 0600, and is never unpacked, as in Docker.
 */
export async function stageFiles(paths: string[], downloads: Download[], destination: string, toDirectory: boolean, work: string, unpackArchives: boolean): Promise<void> {
  mkdirSync(join(work, destination), { recursive: true, mode: 0o755 });
  for (const path of paths) {
    const isDir = statSync(path).isDirectory();
    const archive = !isDir && unpackArchives ? await unpackable(path) : undefined;
    if (archive) {
      await extractTar(archiveStream(path, archive), join(work, destination), { whiteouts: "none" });
      continue;
    }
    copyInto(path, isDir ? join(work, destination) : toDirectory ? join(work, destination, posix.basename(path)) : join(work, destination), !isDir && !toDirectory);
  }
  for (const { path, name } of downloads) {
    const target = toDirectory ? join(work, destination, name) : join(work, destination);
    copyInto(path, target, !toDirectory);
    chmodSync(target, 0o600);
  }
}

function copyInto(path: string, target: string, replace: boolean): void {
  if (replace) rmSync(target, { recursive: true, force: true });
  cpSync(path, target, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true, dereference: false });
}

/** ADD's URL source, fetched to `path`. */
export async function download(url: string, path: string): Promise<Download> {
  const response = await fetch(url).catch((error: unknown) => {
    throw new BuildError(`ADD failed: ${url}: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (!response.ok) throw new BuildError(`ADD failed: ${url}: ${response.status} ${response.statusText}`);
  mkdirSync(posix.dirname(path), { recursive: true });
  await Bun.write(path, response);
  return { path, name: posix.basename(new URL(url).pathname) || "index.html" };
}

/** What ADD unpacks, by content as Docker decides: a tar, plain or compressed. */
async function unpackable(path: string): Promise<ArchiveFormat | undefined> {
  return archiveFormat(new Uint8Array(await Bun.file(path).slice(0, ARCHIVE_HEAD_BYTES).arrayBuffer()));
}

/** The archive's tar bytes: read as it is (extractTar inflates gzip and zstd), or through the system's bzip2 or xz. */
function archiveStream(path: string, format: ArchiveFormat): AsyncIterable<Uint8Array> {
  if (format !== "bzip2" && format !== "xz") return Bun.file(path).stream();
  return Bun.spawn([format, "-dc", path], { stdin: "ignore", stdout: "pipe", stderr: "ignore" }).stdout;
}
