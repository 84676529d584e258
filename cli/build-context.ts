/**
 * What `bunker build` sends as the context: a directory as a tar stream (walked as it is read,
 * never held whole), less what `.dockerignore` excludes, though the Dockerfile and
 * `.dockerignore` always go; or stdin, a tar as it is or a lone Dockerfile made into one.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pack as tarPack } from "tar-stream";
import { packTree } from "../src/archive/pack-tree.ts";
import { toWebStream } from "../src/util/web-stream.ts";
import { DockerIgnore } from "./dockerignore.ts";
import { ARCHIVE_HEAD_BYTES, archiveFormat } from "../src/archive/archive-format.ts";

export function directoryContext(dir: string, dockerfile: string): ReadableStream<Uint8Array> {
  if (!existsSync(dir)) throw new Error(`unable to prepare context: path "${dir}" not found`);
  const ignoreFile = join(dir, ".dockerignore");
  const ignore = new DockerIgnore(existsSync(ignoreFile) ? readFileSync(ignoreFile, "utf8") : "");
  const always = new Set([relative(dir, join(dir, dockerfile)), ".dockerignore"]);
  const skip = (path: string) => {
    const name = path.replace(/^\//, "");
    if (always.has(name)) return false;
    return ignore.excludes(name) && !ignore.mayIncludeBelow(name);
  };
  return toWebStream(packTree(dir, { skip }) as AsyncIterable<Uint8Array>);
}

/** stdin: an archive (a tar, plain or compressed) goes as it is; anything else is a Dockerfile, sent as the context's only file. */
export async function stdinContext(): Promise<ReadableStream<Uint8Array>> {
  const input = Bun.stdin.stream()[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < ARCHIVE_HEAD_BYTES && !done) {
    const next = await input.next();
    if (next.done) done = true;
    else {
      head.push(next.value);
      length += next.value.length;
    }
  }
  const start = Buffer.concat(head);
  async function* rest(): AsyncGenerator<Uint8Array> {
    for (let next = done ? undefined : await input.next(); next && !next.done; next = await input.next()) yield next.value;
  }
  if (archiveFormat(start) !== undefined) {
    return toWebStream((async function* () {
      yield start;
      yield* rest();
    })());
  }
  const chunks: Uint8Array[] = [start];
  for await (const chunk of rest()) chunks.push(chunk);
  const dockerfile = Buffer.concat(chunks);
  const pack = tarPack();
  pack.entry({ name: "Dockerfile", size: dockerfile.length, mode: 0o644 }, dockerfile);
  pack.finalize();
  return toWebStream(pack as AsyncIterable<Uint8Array>);
}
