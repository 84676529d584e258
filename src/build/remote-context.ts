/**
 * A build context the daemon fetches itself (`POST /build?remote=`): a git repository cloned
 * with the system's git (`URL#ref:subdir`, as Docker reads it), or an http(s) URL of a tarball
 * (plain or compressed) or of a lone Dockerfile.
 */
import { mkdirSync, realpathSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { extractTar } from "../archive/tar-extract.ts";
import { ARCHIVE_HEAD_BYTES, archiveFormat } from "../archive/archive-format.ts";
import { InvalidArgumentError, UpstreamError } from "../errors.ts";

const GIT_URL = /^(git:\/\/|git@|github\.com\/|https?:\/\/.*\.git(#|$))/;

export function isGitUrl(remote: string): boolean {
  return GIT_URL.test(remote);
}

/** Fills `dir` with the context `remote` names and returns the directory the build reads (a git subdir, or `dir`). */
export async function fetchRemoteContext(remote: string, dir: string, dockerfile: string): Promise<string> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (isGitUrl(remote)) return cloneGit(remote, dir);
  if (!/^https?:\/\//.test(remote)) throw new InvalidArgumentError(`unable to prepare context: remote context ${remote} is neither a git repository nor an http(s) URL`);
  const response = await fetch(remote).catch((error: unknown) => {
    throw new UpstreamError(`unable to download remote context ${remote}: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (!response.ok || !response.body) throw new UpstreamError(`unable to download remote context ${remote}: ${response.status} ${response.statusText}`);
  // Streamed to disk first: a context is not held in memory, and what it is shows in its first bytes.
  const download = `${dir}.download`;
  await Bun.write(download, response);
  const format = archiveFormat(new Uint8Array(await Bun.file(download).slice(0, ARCHIVE_HEAD_BYTES).arrayBuffer()));
  if (format === "tar" || format === "gzip" || format === "zstd") {
    await extractTar(Bun.file(download).stream(), dir, { whiteouts: "none" });
    rmSync(download, { force: true });
  } else {
    // Not an archive: the URL is the Dockerfile itself, the only file of its context.
    renameSync(download, join(dir, dockerfile));
  }
  return dir;
}

async function cloneGit(remote: string, dir: string): Promise<string> {
  const hash = remote.indexOf("#");
  const url = hash === -1 ? remote : remote.slice(0, hash);
  const [ref, subdir = ""] = (hash === -1 ? "" : remote.slice(hash + 1)).split(":", 2);
  const git = async (...args: string[]) => {
    const child = Bun.spawn(["git", ...args], { cwd: dir, stdin: "ignore", stdout: "ignore", stderr: "pipe", env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } });
    const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
    if (code !== 0) throw new UpstreamError(`unable to prepare context: git ${args[0]} ${url}: ${stderr.trim().split("\n").at(-1) ?? `exit ${code}`}`);
  };
  await git("init", "-q");
  await git("remote", "add", "origin", url);
  await git("fetch", "-q", "--depth", "1", "origin", ref || "HEAD");
  await git("checkout", "-q", "FETCH_HEAD");
  const root = realpathSync(dir);
  const context = realpathSync(join(dir, subdir));
  if (context !== root && !context.startsWith(`${root}/`)) throw new InvalidArgumentError(`unable to prepare context: ${subdir} is outside the repository`);
  return context;
}
