import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidArgumentError, NotFoundError } from "../../src/errors.ts";
import { ImageStore } from "../../src/image/image-store.ts";
import { importImage } from "../../src/image/import.ts";
import type { ImageConfig } from "../../src/image/types.ts";
import { buildTar, chunked } from "../fixtures/tarballs.ts";

let root: string;
let store: ImageStore;

beforeEach(() => {
  root = mkdtempSync("/tmp/bunker-images-test-");
  store = new ImageStore(root);
  store.load();
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function layer(content: string): Promise<string> {
  return (await store.layers.register(chunked(await buildTar([{ name: "f", content }])))).diffId;
}

function config(diffIds: string[], extra: Partial<ImageConfig> = {}): ImageConfig {
  return {
    architecture: "amd64",
    os: "linux",
    created: "2024-01-01T00:00:00Z",
    config: {},
    rootfs: { type: "layers", diff_ids: diffIds },
    history: [],
    ...extra,
  };
}

describe("ImageStore", () => {
  test("the ID is the sha256 of the stored config bytes; creating twice is idempotent", async () => {
    const diffId = await layer("abc");
    const image = store.create(config([diffId]));
    const hex = image.id.slice("sha256:".length);
    const bytes = readFileSync(join(root, "images", `${hex}.json`));
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(hex);
    expect(store.create(config([diffId])).id).toBe(image.id);
    expect(image.size).toBe(3);
    expect(store.list().map((each) => each.id)).toEqual([image.id]);
  });

  test("a config naming a missing layer is refused", () => {
    expect(() => store.create(config([`sha256:${"0".repeat(64)}`]))).toThrow(NotFoundError);
    expect(() => store.createFromBytes(Buffer.from("{}"))).toThrow(InvalidArgumentError);
  });

  test("resolve by name, tag, full name, ID prefix and sha256: form", async () => {
    const image = store.create(config([await layer("x")]));
    store.tag(image.id, "busybox");
    store.tag(image.id, "docker.io/library/busybox", "1");
    store.tag(image.id, "localhost:5000/a/b:1");
    const hex = image.id.slice(7);
    for (const ref of ["busybox", "busybox:latest", "busybox:1", "docker.io/library/busybox:1", "localhost:5000/a/b:1", hex.slice(0, 1), hex.slice(0, 12), hex, image.id, `sha256:${hex.slice(0, 5)}`]) {
      expect(store.resolve(ref).id).toBe(image.id);
    }
    expect(store.get(image.id).repoTags).toEqual(["busybox:1", "busybox:latest", "localhost:5000/a/b:1"]);
  });

  test("an exact tag beats an ID prefix", async () => {
    const first = store.create(config([await layer("1")]));
    const second = store.create(config([await layer("2")]));
    const prefix = first.id.slice(7, 8);
    store.tag(second.id, prefix);
    expect(store.resolve(prefix).id).toBe(second.id);
    expect(store.resolve(`${prefix}:latest`).id).toBe(second.id);
  });

  test("missing images name the normalized reference; bad references say why", async () => {
    expect(() => store.resolve("nosuchimage")).toThrow(new NotFoundError("No such image: nosuchimage:latest"));
    expect(() => store.resolve("docker.io/library/nosuch:2")).toThrow(new NotFoundError("No such image: nosuch:2"));
    expect(() => store.resolve("0123456789ab".padEnd(64, "0"))).toThrow(NotFoundError);
    expect(() => store.resolve("NoSuch")).toThrow(new InvalidArgumentError("invalid reference format: repository name must be lowercase"));
  });

  test("tags move between images; untag returns the name it removed", async () => {
    const a = store.create(config([await layer("a")]));
    const b = store.create(config([await layer("b")]));
    store.tag(a.id, "app:1");
    store.tag(b.id, "app", "1");
    expect(store.tagsOf(a.id)).toEqual([]);
    expect(store.resolve("app:1").id).toBe(b.id);
    expect(store.untag("docker.io/library/app:1")).toBe("app:1");
    expect(() => store.untag("app:1")).toThrow(new NotFoundError("No such image: app:1"));
    expect(() => store.tag(`sha256:${"f".repeat(64)}`, "x")).toThrow(NotFoundError);
  });

  test("delete, children and layer users", async () => {
    const shared = await layer("shared");
    const parent = store.create(config([shared]));
    const child = store.create(config([shared, await layer("top")], { parent: parent.id }));
    store.tag(parent.id, "parent");
    expect(store.children(parent.id).map((each) => each.id)).toEqual([child.id]);
    expect(store.layerUsers(shared)).toBe(2);
    store.delete(parent.id);
    expect(() => store.get(parent.id)).toThrow(NotFoundError);
    expect(() => store.resolve("parent")).toThrow(NotFoundError);
    expect(store.layerUsers(shared)).toBe(1);
    expect(store.get(child.id).size).toBe(9);
  });

  test("load restores images and tags and skips images whose layers are gone", async () => {
    const kept = store.create(config([await layer("kept")]));
    const lostLayer = await layer("lost");
    const lost = store.create(config([lostLayer]));
    store.tag(kept.id, "kept");
    store.tag(lost.id, "lost");
    store.layers.remove(lostLayer);
    writeFileSync(join(root, "images", `${"e".repeat(64)}.json`), "{}"); // does not match its name

    const restarted = new ImageStore(root);
    restarted.load();
    expect(restarted.list().map((each) => each.id)).toEqual([kept.id]);
    expect(restarted.resolve("kept").repoTags).toEqual(["kept:latest"]);
    expect(() => restarted.resolve("lost")).toThrow(NotFoundError);
  });
});

describe("importImage", () => {
  test("makes a one-layer image with Docker's import config, tagged", async () => {
    const tar = await buildTar([{ name: "bin/", type: "directory" }, { name: "bin/sh", content: "#!", mode: 0o755 }, { name: ".wh.keep", content: "" }]);
    let progress = 0;
    const image = await importImage(store, chunked(tar), { repoTag: "imported:v1", source: "-", changes: ["ENV A=1", 'CMD ["/bin/sh"]'] }, (n) => (progress = n));
    expect(progress).toBe(tar.length);
    expect(image.repoTags).toEqual(["imported:v1"]);
    expect(image.config).toMatchObject({
      architecture: "amd64",
      os: "linux",
      comment: "Imported from -",
      config: { Env: ["A=1"], Cmd: ["/bin/sh"] },
      rootfs: { type: "layers", diff_ids: [`sha256:${createHash("sha256").update(tar).digest("hex")}`] },
      history: [{ created: image.config.created, created_by: "", comment: "Imported from -" }],
    });
    // A rootfs tarball is not a layer diff: whiteout-looking names stay files.
    expect(readFileSync(join(store.layers.diffDir(image.config.rootfs.diff_ids[0]), ".wh.keep"), "utf8")).toBe("");
  });

  test("a bad tag or change fails before the tarball is read", async () => {
    const never = (async function* (): AsyncGenerator<Uint8Array> {
      throw new Error("read");
    })();
    await expect(importImage(store, never, { repoTag: "Bad", source: "-" })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(importImage(store, never, { changes: ["RUN x"], source: "-" })).rejects.toThrow("run is not a valid change command");
  });
});
