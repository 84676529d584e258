/**
 * `docker insert IMAGE URL PATH` (2013): the file at URL becomes PATH in a new one-file layer
 * on top of IMAGE, and so a new image whose parent is IMAGE. The download goes to a temp file
 * first: the layer's tar header needs the file's size, which a server need not announce.
 */
import { createReadStream, createWriteStream, rmSync, statSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { pack as tarPack } from "tar-stream";
import { InvalidArgumentError } from "../errors.ts";
import type { ImageStore } from "./image-store.ts";
import { cleanComponents } from "../archive/scoped-path.ts";
import type { Image, ImageConfig } from "./types.ts";

export interface InsertProgress {
  current: number;
  /** From Content-Length, when the server sent one. */
  total?: number;
}

export async function insertFile(
  images: ImageStore,
  tmpDir: string,
  ref: string,
  url: string,
  path: string,
  onProgress: (progress: InsertProgress) => void,
): Promise<Image> {
  const base = images.resolve(ref);
  const name = cleanComponents(path).join("/");
  if (name === "") throw new InvalidArgumentError(`insert needs a file path inside the image, not ${path || "nothing"}`);
  if (!/^https?:\/\//.test(url)) throw new InvalidArgumentError(`insert fetches http(s) URLs only: ${url}`);
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new InvalidArgumentError(`Get ${url}: ${response.status} ${response.statusText}`);

  const download = join(tmpDir, `insert-${randomBytes(8).toString("hex")}`);
  try {
    const total = Number(response.headers.get("content-length")) || undefined;
    let current = 0;
    const counted = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>).on("data", (chunk: Buffer) => {
      current += chunk.length;
      onProgress({ current, total });
    });
    await pipeline(counted, createWriteStream(download, { mode: 0o600 }));

    const tar = tarPack();
    const size = statSync(download).size;
    const entry = tar.entry({ name, size, mode: 0o644, mtime: new Date() }, (error) => (error ? tar.destroy(error) : tar.finalize()));
    pipeline(createReadStream(download), entry).catch((error: unknown) => tar.destroy(error instanceof Error ? error : new Error(String(error))));
    const { diffId } = await images.layers.register(tar as AsyncIterable<Uint8Array>, { whiteouts: "none" });

    const created = new Date().toISOString();
    const { comment: _comment, ...inherited } = base.config;
    const config: ImageConfig = {
      ...inherited,
      created,
      parent: base.id,
      rootfs: { type: "layers", diff_ids: [...base.config.rootfs.diff_ids, diffId] },
      history: [...(base.config.history ?? []), { created, created_by: `/bin/sh -c #(nop) ADD ${url} in /${name}` }],
    };
    return images.create(config);
  } finally {
    rmSync(download, { force: true });
  }
}
