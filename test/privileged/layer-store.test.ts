import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { InvalidArgumentError, NotFoundError } from "../../src/errors.ts";
import { LayerStore, shortLinkName } from "../../src/image/layer-store.ts";
import { buildTar, chunked } from "../fixtures/tarballs.ts";

let root: string;
let store: LayerStore;

beforeEach(() => {
  root = mkdtempSync("/tmp/bunker-layers-test-");
  store = new LayerStore(root);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const sha256 = (data: Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

describe("LayerStore", () => {
  test("registers a layer under its diff ID with its size and a short link", async () => {
    const tar = await buildTar([{ name: "etc/hostname", content: "box\n" }, { name: "bin/sh", content: "#!" }]);
    const layer = await store.register(chunked(tar));
    const hex = layer.diffId.slice("sha256:".length);

    expect(layer).toEqual({ diffId: sha256(tar), size: 6, fresh: true });
    expect(store.has(layer.diffId)).toBe(true);
    expect(store.size(layer.diffId)).toBe(6);
    expect(store.diffDir(layer.diffId)).toBe(join(root, "layers", hex, "diff"));
    expect(readFileSync(join(store.diffDir(layer.diffId), "etc/hostname"), "utf8")).toBe("box\n");
    expect(shortLinkName(layer.diffId)).toBe(`l/${hex.slice(0, 16)}`);
    expect(readlinkSync(join(root, "layers", shortLinkName(layer.diffId)))).toBe(`../${hex}/diff`);
    // Through the short link, from ROOT/layers, as the mount's lowerdir option will name it.
    expect(readFileSync(join(root, "layers", shortLinkName(layer.diffId), "bin/sh"), "utf8")).toBe("#!");
    expect(readdirSync(join(root, "tmp"))).toEqual([]);
  });

  test("registering the same content twice keeps the first copy", async () => {
    const tar = await buildTar([{ name: "f", content: "same" }]);
    const first = await store.register(chunked(tar));
    const marker = join(store.diffDir(first.diffId), "marker");
    mkdirSync(marker);
    const second = await store.register(chunked(tar));
    expect(second).toEqual({ ...first, fresh: false });
    expect(existsSync(marker)).toBe(true);
    expect(readdirSync(join(root, "tmp"))).toEqual([]);
  });

  test("a failed extraction leaves nothing behind", async () => {
    await expect(store.register(chunked(Buffer.from("not a tar at all".repeat(64))))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(readdirSync(join(root, "tmp"))).toEqual([]);
    expect(readdirSync(join(root, "layers"))).toEqual(["l"]);
  });

  test("remove deletes the tree and its link, and tolerates a second call", async () => {
    const layer = await store.register(chunked(await buildTar([{ name: "f", content: "x" }])));
    store.remove(layer.diffId);
    store.remove(layer.diffId);
    expect(store.has(layer.diffId)).toBe(false);
    expect(readdirSync(join(root, "layers", "l"))).toEqual([]);
    expect(() => store.size(layer.diffId)).toThrow(NotFoundError);
  });

  test("startup repairs: temp leftovers go, lost links come back, dangling links go", async () => {
    const layer = await store.register(chunked(await buildTar([{ name: "f", content: "x" }])));
    const link = join(root, "layers", shortLinkName(layer.diffId));
    unlinkSync(link);
    symlinkSync("../0000000000000000000000000000000000000000000000000000000000000000/diff", join(root, "layers", "l", "0000000000000000"));
    mkdirSync(join(root, "tmp", "half-extracted", "diff"), { recursive: true });

    const restarted = new LayerStore(root);
    restarted.cleanupTemp();
    restarted.ensureLinks();

    expect(readdirSync(join(root, "tmp"))).toEqual([]);
    expect(readdirSync(join(root, "layers", "l"))).toEqual([layer.diffId.slice(7, 23)]);
    expect(readFileSync(join(link, "f"), "utf8")).toBe("x");
  });

  test("diff IDs are validated", () => {
    expect(() => store.has("sha256:../../etc")).toThrow(InvalidArgumentError);
    expect(() => store.diffDir("md5:abc")).toThrow(InvalidArgumentError);
  });
});
