/** The Engine API's edges: versioned paths, the ping headers, errors as JSON, bad input rejected. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { buildTar } from "../fixtures/tarballs.ts";
import { TestDaemon } from "./harness.ts";

// Shapes of the few response fields these tests read.
type ErrorBody = { message: string };
type Created = { Id: string };
type ImageJson = { Id: string; RepoTags: string[] };

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await TestDaemon.withBase("api");
});
afterAll(async () => {
  await daemon.cleanup();
});

describe("api", () => {
  test("ping answers HEAD and GET, with and without a version prefix", async () => {
    for (const path of ["/_ping", "/v1.41/_ping"]) {
      const res = await daemon.api(path);
      expect(res.headers.get("Api-Version")).toBe("1.41");
      expect(await res.text()).toBe("OK");
    }
    const head = await daemon.api("/_ping", { method: "HEAD" });
    expect(head.headers.get("Api-Version")).toBe("1.41");
  });

  test("the socket is mode 0660", () => {
    expect(statSync(daemon.socket).mode & 0o777).toBe(0o660);
  });

  test("malformed JSON to create is a 400 with a JSON message", async () => {
    const res = await daemon.api("/v1.41/containers/create", { method: "POST", body: "{not json", headers: { "Content-Type": "application/json" } });
    expect(res.status).toBe(400);
    expect(res.headers.get("Content-Type")).toBe("application/json");
    expect(((await res.json()) as ErrorBody).message).toContain("Malformed JSON");
  });

  test("unknown objects and paths are 404 with a JSON message", async () => {
    for (const path of ["/containers/nosuch/json", "/images/nosuch/json", "/networks/nosuch", "/volumes/nosuch"]) {
      const res = await daemon.api(path);
      expect(res.status).toBe(404);
      expect(typeof ((await res.json()) as ErrorBody).message).toBe("string");
    }
  });

  test("an invalid name and a missing command are 400", async () => {
    const badName = await daemon.api("/containers/create?name=bad%20name", { method: "POST", body: JSON.stringify({ Image: "base", Cmd: ["true"] }) });
    expect(badName.status).toBe(400);
    const noCmd = await daemon.api("/containers/create", { method: "POST", body: JSON.stringify({ Image: "base" }) });
    expect(noCmd.status).toBe(400);
    expect(((await noCmd.json()) as ErrorBody).message).toBe("No command specified");
  });

  test("start and stop of a container already in that state answer 304", async () => {
    const { Id } = (await (await daemon.api("/containers/create", { method: "POST", body: JSON.stringify({ Image: "base", Cmd: ["sleep", "30"] }) })).json()) as Created;
    expect((await daemon.api(`/containers/${Id}/start`, { method: "POST" })).status).toBe(204);
    expect((await daemon.api(`/containers/${Id}/start`, { method: "POST" })).status).toBe(304);
    expect((await daemon.api(`/containers/${Id}/kill`, { method: "POST" })).status).toBe(204);
    await daemon.api(`/containers/${Id}/wait`, { method: "POST" }).then((r) => r.json());
    expect((await daemon.api(`/containers/${Id}/stop`, { method: "POST" })).status).toBe(304);
    expect((await daemon.api(`/containers/${Id}/kill`, { method: "POST" })).status).toBe(409);
  });

  test("fully qualified names from the docker CLI are stored short; an exact tag wins over an ID prefix", async () => {
    const base = (await (await daemon.api("/images/base/json")).json()) as ImageJson;
    const digit = base.Id.slice(7, 8);
    expect((await daemon.api(`/images/base/tag?repo=docker.io%2Flibrary%2F${digit}&tag=latest`, { method: "POST" })).status).toBe(201);
    const images = (await (await daemon.api("/images/json")).json()) as ImageJson[];
    expect(images[0].RepoTags).toContain(`${digit}:latest`);
    expect(((await (await daemon.api(`/images/${digit}/json`)).json()) as ImageJson).Id).toBe(base.Id);
  });

  test("a hostile tarball imports without writing outside its layer", async () => {
    const outside = mkdtempSync("/tmp/bunker-escape-");
    const body = await buildTar([
      { name: "../evil", content: "x" },
      { name: `${outside}/abs-evil`, content: "x" },
      { name: "escape", type: "symlink", linkname: outside },
      { name: "escape/through-symlink", content: "x" },
      { name: "up", type: "symlink", linkname: "../../../../../../.." },
      { name: `up${outside}/through-relative`, content: "x" },
      { name: "hard", type: "link", linkname: "../../../../etc/passwd" },
      { name: "ok", content: "fine" },
    ]);
    const passwdBefore = readFileSync("/etc/passwd", "utf8");
    const res = await daemon.api("/images/create?fromSrc=-&repo=hostile", { method: "POST", body });
    const text = await res.text();
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(join(daemon.root, "evil"))).toBe(false);
    expect(readFileSync("/etc/passwd", "utf8")).toBe(passwdBefore);
    rmSync(outside, { recursive: true });
    if (res.ok) {
      // Imported: what escaped was confined to the layer.
      expect(text).toContain("sha256:");
      const r = await daemon.bunker("create", "hostile", "/ok");
      expect(r.code).toBe(0);
    } else {
      expect(res.status).toBe(400);
    }
  });

  test("import fetches a tarball from an http URL", async () => {
    const tar = await buildTar([{ name: "hello.txt", content: "from a URL\n" }]);
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response(tar) });
    try {
      const url = `http://127.0.0.1:${server.port}/rootfs.tar`;
      const r = await daemon.bunker("import", url, "fromurl:1");
      expect(r.code).toBe(0);
      const image = (await (await daemon.api("/images/fromurl:1/json")).json()) as ImageJson & { Comment: string };
      expect(image.Comment).toBe(`Imported from ${url}`);
    } finally {
      server.stop(true);
    }
  });

  test("a body that is not a tarball is refused and leaves no half layer", async () => {
    const res = await daemon.api("/images/create?fromSrc=-&repo=junk", { method: "POST", body: "this is not a tar archive at all".repeat(40) });
    expect(res.status).toBe(400);
    expect(readdirSync(join(daemon.root, "tmp"))).toEqual([]);
  });
});
