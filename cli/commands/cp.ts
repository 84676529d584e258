/**
 * `bunker cp CONTAINER:SRC DEST` and `bunker cp SRC CONTAINER:DEST`, tar over the archive
 * endpoint, with docker's naming rules: into an existing directory the item keeps its name,
 * to a path that does not exist it takes that name. `-` is a tar on stdout or stdin.
 */
import { lstatSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, posix } from "node:path";
import { ApiError, pathPart, type ApiClient } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { packTree } from "../../src/archive/pack-tree.ts";
import { extractTar } from "../../src/archive/tar-extract.ts";
import { toWebStream } from "../../src/util/web-stream.ts";

interface PathStat {
  name: string;
  mode: number;
}

const GO_MODE_DIR = 2 ** 31;

export default defineBunkerCommand({
  name: "cp",
  description: "Copy files/folders between a container and the local filesystem",
  usage: "CONTAINER:SRC_PATH DEST_PATH|-\n        bunker cp SRC_PATH|- CONTAINER:DEST_PATH",
  flags: {},
  operands: { min: 2, max: 2 },
  async run({ operands: [source, destination], client }) {
    const from = containerPath(source);
    const to = containerPath(destination);
    if (from && to) throw new Error("copying between containers is not supported");
    if (!from && !to) throw new Error("must specify at least one container source");
    if (from) await copyOut(client, from, destination);
    else await copyIn(client, source, to!);
    return 0;
  },
});

/** docker's rule: a local path is one that starts with "/" or ".", or has no ":". */
function containerPath(arg: string): { container: string; path: string } | undefined {
  if (arg.startsWith("/") || arg.startsWith(".")) return undefined;
  const colon = arg.indexOf(":");
  if (colon <= 0) return undefined;
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) || "/" };
}

async function copyOut(client: ApiClient, from: { container: string; path: string }, destination: string): Promise<void> {
  const response = await client.request("GET", `/containers/${pathPart(from.container)}/archive`, { query: { path: from.path } });
  if (!response.body) throw new Error("the daemon sent no archive");
  if (destination === "-") {
    for await (const chunk of response.body) process.stdout.write(chunk);
    return;
  }
  const stat = decodeStat(response.headers.get("X-Docker-Container-Path-Stat"));
  const existing = lstatSync(destination, { throwIfNoEntry: false });
  if (existing?.isDirectory()) {
    await extractTar(response.body, destination);
    return;
  }
  if (!existing && destination.endsWith("/")) throw new Error(`destination directory "${destination}" must exist`);
  if (existing && (stat.mode & GO_MODE_DIR) !== 0) throw new Error(`cannot copy a directory to a file: ${destination}`);
  // The archive names the item by its source name: unpack beside the destination, then rename.
  const staging = mkdtempSync(join(dirname(destination), ".bunker-cp-"));
  try {
    await extractTar(response.body, staging);
    renameSync(join(staging, stat.name), destination);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function copyIn(client: ApiClient, source: string, to: { container: string; path: string }): Promise<void> {
  const archive = `/containers/${pathPart(to.container)}/archive`;
  const put = (path: string, body: ReadableStream<Uint8Array>) =>
    client.request("PUT", archive, { query: { path, noOverwriteDirNonDir: true }, body, headers: { "Content-Type": "application/x-tar" } });
  if (source === "-") {
    await put(to.path, Bun.stdin.stream());
    return;
  }
  const local = lstatSync(source, { throwIfNoEntry: false });
  if (!local) throw new Error(`lstat ${source}: no such file or directory`);
  const target = await statInContainer(client, archive, to.path);
  if (target && (target.mode & GO_MODE_DIR) !== 0) {
    await put(to.path, tarOf(source, basename(source)));
    return;
  }
  if (!target && to.path.endsWith("/")) throw new Error(`destination directory "${to.path}" must exist`);
  if (target && local.isDirectory()) throw new Error(`cannot copy a directory to a file: ${to.path}`);
  await put(posix.dirname(to.path), tarOf(source, posix.basename(to.path)));
}

async function statInContainer(client: ApiClient, archive: string, path: string): Promise<PathStat | undefined> {
  try {
    const response = await client.request("HEAD", archive, { query: { path } });
    return decodeStat(response.headers.get("X-Docker-Container-Path-Stat"));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

function tarOf(path: string, name: string): ReadableStream<Uint8Array> {
  return toWebStream(packTree(path, { name }) as AsyncIterable<Uint8Array>);
}

function decodeStat(header: string | null): PathStat {
  if (!header) throw new Error("the daemon sent no X-Docker-Container-Path-Stat header");
  return JSON.parse(Buffer.from(header, "base64").toString("utf8")) as PathStat;
}
