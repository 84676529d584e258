/** The registry transport and token cache against small HTTP servers on 127.0.0.1 (no root, no registry). */
import { afterAll, expect, test } from "bun:test";
import { RegistryClient } from "../../src/registry/client.ts";
import { TokenCache } from "../../src/registry/tokens.ts";
import { RegistryTransport } from "../../src/registry/transport.ts";
import { DEFAULT_REGISTRY_OPTIONS } from "../../src/registry/types.ts";

const seenByCdn: Array<string | null> = [];
const tokenRequests: Array<{ method: string; query: string; body: string }> = [];
const cdn = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request) {
    seenByCdn.push(request.headers.get("authorization"));
    return new Response("blob bytes");
  },
});
const tokens = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    const url = new URL(request.url);
    tokenRequests.push({ method: request.method, query: url.search, body: await request.text() });
    await Bun.sleep(20);
    return Response.json({ token: "T1", expires_in: 300 });
  },
});
const registry = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request) {
    const url = new URL(request.url);
    if (request.headers.get("authorization") !== "Bearer T1") {
      return new Response("{}", { status: 401, headers: { "WWW-Authenticate": `Bearer realm="http://127.0.0.1:${tokens.port}/token",service="svc"` } });
    }
    if (url.pathname.includes("/blobs/")) return new Response(null, { status: 307, headers: { Location: `http://127.0.0.1:${cdn.port}/data` } });
    return new Response("{}");
  },
});
afterAll(() => {
  for (const server of [cdn, tokens, registry]) server.stop(true);
});

const transport = new RegistryTransport(DEFAULT_REGISTRY_OPTIONS);
const client = (credentials = {}) => new RegistryClient(transport, new TokenCache(transport), { domain: `127.0.0.1:${registry.port}`, path: "a/b", credentials, actions: "pull" });

test("a blob's redirect is followed without the registry's Authorization header", async () => {
  const body = await new Response(await client().blob(`sha256:${"0".repeat(64)}`)).text();
  expect(body).toBe("blob bytes");
  expect(seenByCdn).toEqual([null]);
});

test("ten requests at once share one token fetch for their scope; Basic credentials go to the token service", async () => {
  tokenRequests.length = 0;
  const c = client({ username: "u", password: "p" });
  await Promise.all(Array.from({ length: 10 }, () => c.hasBlob(`sha256:${"1".repeat(64)}`).catch(() => false)));
  expect(tokenRequests).toHaveLength(1);
  expect(tokenRequests[0].method).toBe("GET");
  expect(new URLSearchParams(tokenRequests[0].query).get("scope")).toBe("repository:a/b:pull");
  expect(new URLSearchParams(tokenRequests[0].query).get("account")).toBe("u");
});

test("an identity token is traded for an access token by POST", async () => {
  tokenRequests.length = 0;
  await client({ identityToken: "refresh-me" }).hasBlob(`sha256:${"2".repeat(64)}`).catch(() => false);
  expect(tokenRequests).toHaveLength(1);
  expect(tokenRequests[0].method).toBe("POST");
  const form = new URLSearchParams(tokenRequests[0].body);
  expect([form.get("grant_type"), form.get("refresh_token"), form.get("scope"), form.get("service")]).toEqual(["refresh_token", "refresh-me", "repository:a/b:pull", "svc"]);
});
