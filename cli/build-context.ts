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

const TAR_MAGIC_OFFSET = 257;

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

/** stdin: a tar (ustar magic, or gzip) goes as it is; anything else is a Dockerfile, sent as the context's only file. */
export async function stdinContext(): Promise<ReadableStream<Uint8Array>> {
  const reader = Bun.stdin.stream().getReader();
  const head: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < TAR_MAGIC_OFFSET + 5 && !done) {
    const next = await reader.read();
    if (next.done) done = true;
    else {
      head.push(next.value);
      length += next.value.length;
    }
  }
  const start = Buffer.concat(head);
  const isTar = start.subarray(TAR_MAGIC_OFFSET, TAR_MAGIC_OFFSET + 5).toString() === "ustar" || (start[0] === 0x1f && start[1] === 0x8b);
  if (isTar) {
    return new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(start);
      },
      async pull(controller) {
        const next = await reader.read();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
    });
  }
  const rest: Uint8Array[] = [start];
  for (let next = done ? undefined : await reader.read(); next && !next.done; next = await reader.read()) rest.push(next.value);
  const dockerfile = Buffer.concat(rest);
  const pack = tarPack();
  pack.entry({ name: "Dockerfile", size: dockerfile.length, mode: 0o644 }, dockerfile);
  pack.finalize();
  return toWebStream(pack as AsyncIterable<Uint8Array>);
}
