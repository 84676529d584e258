import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { lgetxattr } from "../../ffi/sys.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import { extractTar, type ExtractOptions } from "../../src/archive/tar-extract.ts";
import { buildTar, buildTarGz, chunked, type TarEntry } from "../fixtures/tarballs.ts";

let T: string;
let root: string;

afterEach(() => rmSync(T, { recursive: true, force: true }));

function sandbox(): void {
  T = mkdtempSync("/tmp/bunker-tar-test-");
  root = join(T, "root");
  mkdirSync(root);
}

async function extract(entries: TarEntry[], options?: ExtractOptions) {
  sandbox();
  return extractTar(chunked(await buildTar(entries), 700), root, options);
}

/** Runs a hostile archive; it may be refused or extracted, but nothing may land outside the root. */
async function extractHostile(entries: TarEntry[]): Promise<unknown> {
  let failure: unknown;
  try {
    await extract(entries);
  } catch (error) {
    failure = error;
  }
  expect(readdirSync(T)).toEqual(["root"]);
  return failure;
}

/** Host files an escape would most likely touch, fingerprinted before and after the hostile tests. */
const SENTINELS = ["/etc/passwd", "/etc", "/tmp"];
function fingerprint(): string[] {
  return SENTINELS.map((path) => {
    const s = lstatSync(path);
    const content = s.isFile() ? createHash("sha256").update(readFileSync(path)).digest("hex") : "";
    return `${path} ${s.mode} ${s.nlink} ${s.uid} ${s.gid} ${s.size} ${path === "/tmp" ? "" : s.mtimeMs} ${content}`;
  });
}

describe("extractTar refuses to write outside the root", () => {
  let before: string[];
  beforeAll(() => {
    before = fingerprint();
  });
  afterAll(() => {
    expect(fingerprint()).toEqual(before);
    for (const path of ["/evil", "/abs", "/etc/evil"]) expect(existsSync(path)).toBe(false);
  });

  test.each(["../evil", "/abs/evil", "a/../../evil", "./../../../evil", "../../../../../../etc/evil"])("entry %s stays inside", async (name) => {
    expect(await extractHostile([{ name, content: "x" }])).toBeUndefined();
    const landed = readdirSync(root, { recursive: true }).map(String);
    expect(landed.some((path) => path.endsWith("evil"))).toBe(true);
  });

  test.each(["/", "../../..", "..", "/tmp"])("symlink link -> %s is not followed out", async (target) => {
    expect(await extractHostile([{ name: "link", type: "symlink", linkname: target }, { name: "link/evil", content: "x" }])).toBeUndefined();
    expect(readlinkSync(join(root, "link"))).toBe(target);
  });

  test("a symlink to the sandbox's own absolute path is clamped to the root", async () => {
    sandbox();
    await extractTar(chunked(await buildTar([{ name: "d", type: "symlink", linkname: T }, { name: "d/evil", content: "x" }])), root);
    expect(readdirSync(T)).toEqual(["root"]);
    expect(readFileSync(join(root, T, "evil"), "utf8")).toBe("x");
  });

  test("chained relative symlinks are clamped too", async () => {
    await extractHostile([
      { name: "a", type: "symlink", linkname: "b" },
      { name: "b", type: "symlink", linkname: "../../x/../.." },
      { name: "a/evil", content: "x" },
    ]);
    expect(readFileSync(join(root, "evil"), "utf8")).toBe("x");
  });

  test("a symlinked directory then a file through it", async () => {
    await extractHostile([
      { name: "e", type: "symlink", linkname: "/etc" },
      { name: "e/passwd", content: "root::0:0::/:/bin/sh\n" },
    ]);
    expect(readFileSync(join(root, "etc/passwd"), "utf8")).toContain("root::0:0");
    expect(lstatSync(join(root, "e")).isSymbolicLink()).toBe(true);
  });

  test("a symlink to itself, as /etc -> /etc is inside the root, loops and is refused", async () => {
    const failure = await extractHostile([
      { name: "etc", type: "symlink", linkname: "/etc" },
      { name: "etc/passwd", content: "x" },
    ]);
    expect(failure).toBeInstanceOf(InvalidArgumentError);
    expect(String(failure)).toContain("too many levels of symbolic links");
  });

  test("a hardlink to ../../etc/passwd is refused", async () => {
    const failure = await extractHostile([{ name: "h", type: "link", linkname: "../../etc/passwd" }]);
    expect(failure).toBeInstanceOf(InvalidArgumentError);
  });

  test("a hardlink through a symlink to /etc is refused", async () => {
    const failure = await extractHostile([
      { name: "e", type: "symlink", linkname: "/etc" },
      { name: "h", type: "link", linkname: "e/passwd" },
    ]);
    expect(failure).toBeInstanceOf(InvalidArgumentError);
  });

  test("a hardlink to a symlink links the symlink; its mode does not reach the target", async () => {
    expect(
      await extractHostile([
        { name: "s", type: "symlink", linkname: "/etc/passwd" },
        { name: "h", type: "link", linkname: "s", mode: 0o777, mtime: new Date(0) },
      ]),
    ).toBeUndefined();
    expect(readlinkSync(join(root, "h"))).toBe("/etc/passwd");
    expect(lstatSync(join(root, "h")).ino).toBe(lstatSync(join(root, "s")).ino);
  });

  test("a directory later replaced by a symlink out does not get its mtime applied through it", async () => {
    await extractHostile([
      { name: "d", type: "directory", mtime: new Date(0) },
      { name: "d", type: "symlink", linkname: "/etc" },
    ]);
    expect(lstatSync(join(root, "d")).isSymbolicLink()).toBe(true);
  });

  test("an entry replacing a symlink replaces it instead of following it", async () => {
    await extractHostile([
      { name: "x", type: "symlink", linkname: "/etc/passwd" },
      { name: "x", content: "mine" },
      { name: "y", type: "symlink", linkname: "/etc" },
      { name: "y", type: "directory", mode: 0o700 },
    ]);
    expect(readFileSync(join(root, "x"), "utf8")).toBe("mine");
    expect(lstatSync(join(root, "y")).isDirectory()).toBe(true);
  });

  test("whiteouts that would hide the parent are refused", async () => {
    for (const name of ["d/.wh.", "d/.wh..", "d/.wh..."]) {
      sandbox();
      const tar = await buildTar([{ name: "d/keep", content: "k" }, { name, content: "" }]);
      await expect(extractTar(chunked(tar), root, { whiteouts: "overlay" })).rejects.toBeInstanceOf(InvalidArgumentError);
      rmSync(T, { recursive: true, force: true });
    }
  });
});

describe("extractTar round-trips", () => {
  const mtime = new Date("2021-02-03T04:05:06Z");
  const seconds = mtime.getTime();

  test("files, directories, links, devices, fifos with owners, modes and mtimes", async () => {
    const stats = await extract([
      { name: "./", type: "directory", mode: 0o711, mtime },
      { name: "dir/", type: "directory", mode: 0o750, uid: 7, gid: 8, mtime },
      { name: "dir/file", content: "hello", mode: 0o640, uid: 1234, gid: 5678, mtime },
      { name: "empty", type: "directory", mode: 0o700, mtime },
      { name: "sticky", type: "directory", mode: 0o1777, mtime },
      { name: "suid", content: "#!", mode: 0o4755, uid: 1000, gid: 1000, mtime },
      { name: "sgid", content: "", mode: 0o2711, uid: 1000, gid: 50, mtime },
      { name: "sym", type: "symlink", linkname: "/nonexistent/target", uid: 3, gid: 4, mtime },
      // Archivers repeat the file's metadata on its hardlink entries; it lands on the shared inode.
      { name: "hard", type: "link", linkname: "dir/file", mode: 0o640, uid: 1234, gid: 5678, mtime },
      { name: "fifo", type: "fifo", mode: 0o620, mtime },
      { name: "null", type: "character-device", devmajor: 1, devminor: 3, mode: 0o666, mtime },
      { name: "loop", type: "block-device", devmajor: 7, devminor: 300, mode: 0o660 },
      { name: "attr", content: "x", pax: { "SCHILY.xattr.user.foo": "bar" } },
      { name: "implicit/parent/file", content: "deep" },
    ]);
    expect(stats.entries).toBe(14);
    // Regular files plus the symlink's length, as lstat (and Docker's layer size) counts it.
    expect(stats.contentBytes).toBe(5 + 2 + 1 + 4 + "/nonexistent/target".length);

    const at = (path: string) => lstatSync(join(root, path));
    expect(at(".").mode & 0o7777).toBe(0o711);
    expect(at("dir").isDirectory()).toBe(true);
    expect([at("dir").mode & 0o7777, at("dir").uid, at("dir").gid]).toEqual([0o750, 7, 8]);
    expect(at("dir").mtimeMs).toBe(seconds); // set after dir/file was created in it
    expect(readFileSync(join(root, "dir/file"), "utf8")).toBe("hello");
    expect([at("dir/file").mode & 0o7777, at("dir/file").uid, at("dir/file").gid, at("dir/file").mtimeMs]).toEqual([0o640, 1234, 5678, seconds]);
    expect(readdirSync(join(root, "empty"))).toEqual([]);
    expect(at("empty").mtimeMs).toBe(seconds);
    expect(at("sticky").mode & 0o7777).toBe(0o1777);
    expect([at("suid").mode & 0o7777, at("suid").uid]).toEqual([0o4755, 1000]);
    expect([at("sgid").mode & 0o7777, at("sgid").gid]).toEqual([0o2711, 50]);
    expect(readlinkSync(join(root, "sym"))).toBe("/nonexistent/target");
    expect([at("sym").uid, at("sym").gid, at("sym").mtimeMs]).toEqual([3, 4, seconds]);
    expect(at("hard").ino).toBe(at("dir/file").ino);
    expect(at("fifo").isFIFO()).toBe(true);
    expect(at("fifo").mode & 0o7777).toBe(0o620);
    expect(at("null").isCharacterDevice()).toBe(true);
    expect(at("null").rdev).toBe((1 << 8) | 3);
    expect(at("loop").isBlockDevice()).toBe(true);
    expect(at("loop").rdev).toBe((7 << 8) | (300 & 0xff) | ((300 & ~0xff) << 12));
    expect(lgetxattr(join(root, "attr"), "user.foo").toString()).toBe("bar");
    expect(readFileSync(join(root, "implicit/parent/file"), "utf8")).toBe("deep");
  });

  test("the diff ID is the sha256 of the uncompressed tar, gzipped or not", async () => {
    const entries: TarEntry[] = [{ name: "a", content: "abc" }, { name: "b/", type: "directory" }];
    const tar = await buildTar(entries);
    const expected = `sha256:${createHash("sha256").update(tar).digest("hex")}`;
    sandbox();
    const plain = await extractTar(chunked(tar, 1), root);
    rmSync(T, { recursive: true });
    sandbox();
    const gzipped = await extractTar(chunked(await buildTarGz(entries), 3), root);
    expect(plain).toEqual({ diffId: expected, tarBytes: tar.length, contentBytes: 3, entries: 2 });
    expect(gzipped).toEqual(plain);
    expect(readFileSync(join(root, "a"), "utf8")).toBe("abc");
  });

  test("streams a large file through in small chunks, reporting progress", async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 17, 7);
    big.write("start");
    const tar = await buildTarGz([{ name: "big", content: big }]);
    sandbox();
    let progress = 0;
    const stats = await extractTar(chunked(tar, 64 * 1024), root, { onProgress: (n) => (progress = n) });
    expect(progress).toBe(tar.length);
    expect(stats.contentBytes).toBe(big.length);
    expect(readFileSync(join(root, "big")).equals(big)).toBe(true);
  });

  test("an existing directory is merged; anything else is replaced", async () => {
    await extract([
      { name: "d/", type: "directory", mode: 0o755 },
      { name: "d/keep", content: "k" },
      { name: "d/", type: "directory", mode: 0o700 },
      { name: "f", content: "file" },
      { name: "f", type: "symlink", linkname: "d" },
      { name: "g/", type: "directory" },
      { name: "g/inner", content: "i" },
      { name: "g", content: "now a file" },
    ]);
    expect(readFileSync(join(root, "d/keep"), "utf8")).toBe("k");
    expect(statSync(join(root, "d")).mode & 0o7777).toBe(0o700);
    expect(readlinkSync(join(root, "f"))).toBe("d");
    expect(readFileSync(join(root, "g"), "utf8")).toBe("now a file");
  });

  test("overlay mode turns OCI whiteouts into overlayfs whiteouts", async () => {
    await extract(
      [
        { name: "dir/", type: "directory" },
        { name: "dir/.wh..wh..opq", content: "" },
        { name: ".wh.gone", content: "", uid: 5, gid: 6 },
      ],
      { whiteouts: "overlay" },
    );
    const gone = lstatSync(join(root, "gone"));
    expect([gone.isCharacterDevice(), gone.rdev, gone.uid, gone.gid]).toEqual([true, 0, 5, 6]);
    expect(lgetxattr(join(root, "dir"), "trusted.overlay.opaque").toString()).toBe("y");
    expect(readdirSync(join(root, "dir"))).toEqual([]);
  });

  test("without conversion whiteout names are plain files", async () => {
    await extract([{ name: ".wh.gone", content: "" }]);
    expect(lstatSync(join(root, ".wh.gone")).isFile()).toBe(true);
  });
});

describe("extractTar rejects what is not a tar", () => {
  test.each([
    ["text", Buffer.from("this is definitely not a tar archive\n".repeat(40)), "archive/tar: invalid tar header"],
    ["bad gzip", Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(100, 1)]), "gzip"],
  ])("%s", async (_, data, message) => {
    sandbox();
    const failure = extractTar(chunked(data), root);
    await expect(failure).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(failure).rejects.toThrow(message);
  });

  test("a truncated tar", async () => {
    const tar = await buildTar([{ name: "f", content: "x".repeat(5000) }]);
    sandbox();
    await expect(extractTar(chunked(tar.subarray(0, 2048)), root)).rejects.toThrow(new InvalidArgumentError("archive/tar: unexpected EOF"));
  });
});
