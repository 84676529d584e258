/** A registered layer gives back its original tar byte for byte: the diff ID survives save. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { LayerStore } from "../../src/image/layer-store.ts";
import { buildTar, buildTarGz, chunked } from "../fixtures/tarballs.ts";

let root: string;
let store: LayerStore;
beforeEach(() => {
  root = mkdtempSync("/tmp/bunker-tar-record-test-");
  store = new LayerStore(root);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function replayed(diffId: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of store.tar(diffId)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe("layer tar records", () => {
  test("files, empty files, long PAX names, links and directories come back identical", async () => {
    const long = `${"deep/".repeat(40)}name-longer-than-a-ustar-header-holds.txt`;
    const tar = await buildTar([
      { name: "etc/", type: "directory" },
      { name: "etc/hostname", content: "box\n" },
      { name: "empty", content: "" },
      { name: long, content: "x".repeat(70_000) },
      { name: "link", type: "symlink", linkname: "etc/hostname" },
    ]);
    const { diffId } = await store.register(chunked(tar, 333));
    expect(await store.tarSize(diffId)).toBe(tar.length);
    const again = await replayed(diffId);
    expect(again.equals(tar)).toBe(true);
    expect(`sha256:${createHash("sha256").update(again).digest("hex")}`).toBe(diffId);
  });

  test("a gzipped layer is given back as the uncompressed tar its diff ID names", async () => {
    const entries = [{ name: "a", content: "a\n" }];
    const { diffId } = await store.register(chunked(await buildTarGz(entries)));
    expect((await replayed(diffId)).equals(await buildTar(entries))).toBe(true);
  });
});
