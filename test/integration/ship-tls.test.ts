/**
 * Registry TLS as Docker's certs.d has it: a registry that is not loopback (in a network
 * namespace this test makes, over a veth) serving HTTPS from a CA made here with openssl. Not
 * trusted, the pull fails saying how to trust it; with the CA in the daemon's certs dir it
 * works; and an `--insecure-registry` CIDR reaches it without verification.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ok, run, TestDaemon } from "./harness.ts";
import { TestRegistry } from "./registry-server.ts";

const NETNS = `bunker-tls-${process.pid}`;
const HOST_VETH = `vbtls${process.pid % 10000}`;
const PEER_VETH = `vbtlp${process.pid % 10000}`;
const SUBNET = "10.213.77";
const ADDRESS = `${SUBNET}.2`;

let bunker: TestDaemon;
let registry: TestRegistry;
const certsDir = mkdtempSync("/tmp/bunker-test-certs-");
const config = mkdtempSync("/tmp/bunker-test-docker-config-");

const ip = (...args: string[]) => ok(run(["ip", ...args]));

beforeAll(async () => {
  process.env.DOCKER_CONFIG = config;
  await ip("netns", "add", NETNS);
  await ip("link", "add", HOST_VETH, "type", "veth", "peer", "name", PEER_VETH);
  await ip("link", "set", PEER_VETH, "netns", NETNS);
  await ip("addr", "add", `${SUBNET}.1/30`, "dev", HOST_VETH);
  await ip("link", "set", HOST_VETH, "up");
  await ip("-n", NETNS, "addr", "add", `${ADDRESS}/30`, "dev", PEER_VETH);
  await ip("-n", NETNS, "link", "set", PEER_VETH, "up");
  await ip("-n", NETNS, "link", "set", "lo", "up");
  registry = await TestRegistry.start({ tls: true, netns: { name: NETNS, address: ADDRESS } });
  bunker = await TestDaemon.withBase("ship-tls", ["--bridge", "none", "--certs-dir", certsDir]);
}, 60_000);

afterAll(async () => {
  delete process.env.DOCKER_CONFIG;
  try {
    await bunker?.cleanup();
  } finally {
    await registry?.stop();
    await run(["ip", "link", "del", HOST_VETH]);
    await run(["ip", "netns", "del", NETNS]);
    rmSync(certsDir, { recursive: true, force: true });
    rmSync(config, { recursive: true, force: true });
  }
});

test("an untrusted CA fails with one line that says how to trust it; the CA in certs.d makes push and pull work", async () => {
  const name = `${registry.host}/tls:1`;
  await ok(bunker.bunker("tag", "base", name));
  const refused = await bunker.bunker("push", name);
  expect(refused.code).toBe(1);
  expect(refused.stderr.trim().split("\n")).toHaveLength(1);
  expect(refused.stderr).toContain("x509: certificate signed by unknown authority");
  expect(refused.stderr).toContain(`${join(certsDir, registry.host)}/ca.crt`);
  expect(refused.stderr).toContain(`--insecure-registry ${registry.host}`);

  mkdirSync(join(certsDir, registry.host));
  copyFileSync(registry.caCert, join(certsDir, registry.host, "ca.crt"));
  expect(await ok(bunker.bunker("push", name))).toMatch(/1: digest: sha256:[0-9a-f]{64}/);
  await ok(bunker.bunker("rmi", name));
  expect(await ok(bunker.bunker("pull", name))).toContain(`Status: Downloaded newer image for ${name}`);
  rmSync(join(certsDir, registry.host), { recursive: true });
}, 60_000);

test("--insecure-registry with a CIDR reaches it without verifying", async () => {
  await bunker.stop();
  const insecure = new TestDaemon("ship-tls-insecure", ["--bridge", "none", "--certs-dir", certsDir, "--insecure-registry", `${SUBNET}.0/24`]);
  await insecure.start();
  try {
    const name = `${registry.host}/tls:1`;
    expect(await ok(insecure.bunker("pull", name))).toContain(`Status: Downloaded newer image for ${name}`);
  } finally {
    await insecure.cleanup();
    await bunker.start();
  }
}, 60_000);
