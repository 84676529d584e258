/**
 * Hostile input: 10 000 randomized malformed requests, clients that leave mid-stream, huge JSON
 * bodies. The daemon must answer each with a 4xx and a JSON message (never 5xx), never die,
 * and give back its memory and descriptors.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { TestDaemon, eventually } from "./harness.ts";
import { UNREACHABLE_REGISTRY, malformedRequest, prng } from "./malformed-requests.ts";
import { rawRequest, readThenLeave } from "./raw-http.ts";

let daemon: TestDaemon;
let running: string;
beforeAll(async () => {
  daemon = await TestDaemon.withBase("malformed");
  // It stops at once on SIGTERM, so a fuzzed stop or restart of it is quick.
  running = (await daemon.bunkerOk("run", "-d", "--restart", "always", "base", "sh", "-c", "trap 'exit 0' TERM; while true; do echo tick; sleep 0.2; done")).trim();
});
afterAll(async () => {
  await daemon.cleanup();
});

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
}

function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

describe("clients that leave", () => {
  test("every streaming endpoint, left after a random number of bytes 20 times: the daemon lives, its descriptors and RSS return to their baseline", async () => {
    const pid = daemon.pid!;
    const endpoints = [
      "GET /images/base/get HTTP/1.1",
      "GET /images/get?names=base HTTP/1.1",
      `GET /containers/${running}/export HTTP/1.1`,
      `GET /containers/${running}/archive?path=/bin HTTP/1.1`,
      `GET /containers/${running}/logs?stdout=1&follow=1 HTTP/1.1`,
      `POST /containers/${running}/attach?stream=1&stdout=1&logs=1 HTTP/1.1`,
    ];
    const rand = prng(8);
    // One round first, so what a first use allocates once (module code, pools) is in the baseline.
    for (const endpoint of endpoints) await readThenLeave(daemon.socket, `${endpoint}\r\nHost: bunker`, 10);
    await eventually(() => fdCount(pid) <= 40);
    const fds = fdCount(pid);
    const rss = rssKb(pid);
    for (const endpoint of endpoints) {
      for (let i = 0; i < 20; i++) await readThenLeave(daemon.socket, `${endpoint}\r\nHost: bunker`, 1 + Math.floor(rand() * 3_000_000));
    }
    expect((await daemon.api("/_ping")).status).toBe(200);
    await eventually(() => fdCount(pid) <= fds, 10_000);
    // Within 20 MB: what the allocator keeps for reuse, not what the requests held.
    expect(rssKb(pid) - rss).toBeLessThan(20 * 1024);
    // No read-only view of the container's root is left mounted.
    expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(`${daemon.root}/tmp`);
  }, 120_000);
});

describe("bodies", () => {
  test("ten 100 MB JSON bodies are each refused with 413; RSS comes back within 20 MB", async () => {
    const pid = daemon.pid!;
    const before = rssKb(pid);
    const big = new Uint8Array(100 * 1024 * 1024).fill(0x20);
    for (let i = 0; i < 10; i++) {
      const res = await rawRequest(daemon.socket, `POST /v1.41/containers/create HTTP/1.1\r\nHost: bunker\r\nContent-Type: application/json\r\nContent-Length: ${big.length}`, big);
      expect(res.status).toBe(413);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(JSON.parse(res.body.toString()).message).toContain("too large");
    }
    // Chunked, with no length to refuse on: read up to the limit, then refused.
    const chunked = await daemon.api("/containers/create", { method: "POST", headers: { "Content-Type": "application/json" }, body: new Blob([big]).stream() });
    expect(chunked.status).toBe(413);
    Bun.gc(true);
    await eventually(() => rssKb(pid) - before < 20 * 1024, 10_000);
  }, 120_000);

  test("a start whose client half-closes its socket gets 204", async () => {
    const id = (await daemon.bunkerOk("create", "base", "true")).trim();
    const res = await rawRequest(daemon.socket, `POST /v1.41/containers/${id}/start HTTP/1.1\r\nHost: bunker\r\nContent-Length: 0`, undefined, { halfClose: true });
    expect(res.status).toBe(204);
  });

  test("a wrong type names the field, and nothing is stored", async () => {
    const cases: [unknown, string][] = [
      [{ Image: "base", Cmd: ["true", null] }, "invalid Cmd[1]: expected string, got null"],
      [{ Image: "base", Env: "A=b" }, "invalid Env: expected array, got string"],
      [{ Image: 5 }, "invalid Image: expected string, got number"],
      [{ Image: "base", HostConfig: { Binds: [1] } }, "invalid HostConfig.Binds[0]: expected string, got number"],
      [{ Image: "base", StopTimeout: 1e308 }, "invalid StopTimeout"],
    ];
    const before = (await (await daemon.api("/containers/json?all=1")).json()) as unknown[];
    for (const [body, message] of cases) {
      const res = await daemon.api("/containers/create", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toStartWith(message);
    }
    expect((await (await daemon.api("/containers/json?all=1")).json()) as unknown[]).toHaveLength(before.length);
  });
});

describe("10 000 malformed requests", () => {
  test("no 5xx, every error body JSON, the daemon alive; ps -a and images list only valid objects after", async () => {
    const rand = prng(Number(process.env.FUZZ_SEED ?? 2026));
    const failures: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const request = malformedRequest(rand, running);
      const line = request.head.split("\r\n")[0]!;
      let res;
      try {
        res = await rawRequest(daemon.socket, request.head, request.body, { timeoutMs: 3000 });
      } catch (err) {
        // Waiting on a running container is what wait, attach and a followed log are for.
        if (!/\/(wait|attach|logs)\b/.test(line)) failures.push(`${line}: ${(err as Error).message}`);
        continue;
      }
      // A registry that cannot be reached is Docker's 500 too: the one 5xx that is not a bug.
      const unreachable = res.status === 500 && res.body.toString().includes(`"http://${UNREACHABLE_REGISTRY}v2/\\": dial tcp 127.0.0.1:1: connect: connection refused`);
      if (res.status >= 500 && !unreachable) failures.push(`${res.status} ${line}: ${res.body.toString().slice(0, 200)}`);
      if (res.status >= 400 && !line.startsWith("HEAD ")) {
        const json = res.headers.get("content-type") === "application/json";
        let parsed = false;
        try {
          parsed = typeof JSON.parse(res.body.toString()).message === "string";
        } catch {
          // reported below
        }
        if (!json || !parsed) failures.push(`not a JSON error: ${res.status} ${line}: ${res.body.toString().slice(0, 200)}`);
      }
    }
    expect(failures.slice(0, 20)).toEqual([]);
    const ps = await daemon.api("/containers/json?all=1");
    expect(ps.status).toBe(200);
    for (const container of (await ps.json()) as { Id: string; Names: string[]; Command: string }[]) {
      expect(container.Id).toMatch(/^[0-9a-f]{64}$/);
      expect(typeof container.Command).toBe("string");
    }
    const images = await daemon.api("/images/json");
    expect(images.status).toBe(200);
    for (const image of (await images.json()) as { Id: string; Created: number }[]) {
      expect(image.Id).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(Number.isInteger(image.Created)).toBe(true);
    }
    expect((await daemon.bunker("ps", "-a")).code).toBe(0);
    expect((await daemon.bunker("images")).code).toBe(0);
  }, 600_000);
});
