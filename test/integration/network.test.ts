/**
 * Networking end to end, on a bridge this file creates (bk-<random>, a /27 in 10.x) and
 * deletes: containers reach each other and the bridge's address; none, host and container:
 * modes; addresses and veths come back after many containers and after a killed daemon.
 * The /27 holds 29 addresses, so the rounds of 20 containers below prove addresses return.
 */
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { eventually, run, TestDaemon } from "./harness.ts";
import { TestBridge } from "./test-bridge.ts";

const bridge = new TestBridge();
const BRIDGE = bridge.name;
const suffix = BRIDGE.slice("bk-".length);
const GATEWAY = bridge.gateway;

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await TestDaemon.withBase("network", bridge.daemonArgs(27));
});
afterAll(async () => {
  try {
    await daemon.cleanup();
  } finally {
    await bridge.remove();
  }
});

/** The links enslaved to the test's bridge. */
function bridgePorts(): string[] {
  const dir = `/sys/class/net/${BRIDGE}/brif`;
  return existsSync(dir) ? readdirSync(dir) : [];
}

async function inspect(ref: string) {
  return JSON.parse(await daemon.bunkerOk("inspect", ref))[0];
}

async function detached(...args: string[]): Promise<string> {
  return (await daemon.bunkerOk("run", "-d", ...args)).trim();
}

describe("bridge mode", () => {
  test("two containers reach each other by address", async () => {
    const server = await detached("base", "sleep", "60");
    const { IPAddress } = (await inspect(server)).NetworkSettings;
    expect(IPAddress).toMatch(/^10\./);
    expect(await daemon.bunkerOk("run", "--rm", "base", "ping", "-c1", "-W2", IPAddress)).toContain("1 packets received");
    await daemon.bunkerOk("rm", "-f", server);
  });

  test("a container reaches the bridge's address on the host", async () => {
    let received = "";
    const listener = Bun.listen({
      hostname: GATEWAY,
      port: 0,
      socket: { data: (_socket, data) => void (received += data.toString()) },
    });
    try {
      await daemon.bunkerOk("run", "--rm", "base", "sh", "-c", `echo hello bridge | nc ${GATEWAY} ${listener.port}`);
      await eventually(() => received.includes("hello bridge"));
    } finally {
      listener.stop(true);
    }
  });

  test("eth0 has the address, the MAC from it, and the default route; /etc/hosts names the container", async () => {
    const id = await detached("--add-host", "db.local:10.9.9.9", "base", "sleep", "60");
    const settings = (await inspect(id)).NetworkSettings;
    const inside = await daemon.bunkerOk("run", "--rm", "--net", `container:${id}`, "base", "sh", "-c", "ip -o -4 addr show eth0; ip route; cat /sys/class/net/eth0/address");
    expect(inside).toContain(`${settings.IPAddress}/27`);
    expect(inside).toContain(`default via ${GATEWAY}`);
    expect(inside).toContain(settings.MacAddress);
    const hosts = readFileSync((await inspect(id)).HostsPath, "utf8");
    expect(hosts).toContain("10.9.9.9\tdb.local");
    expect(hosts).toContain(`${settings.IPAddress}\t${id.slice(0, 12)}`);
    await daemon.bunkerOk("rm", "-f", id);
  });

  test("inspect and ps show NetworkSettings in the v1.41 shape", async () => {
    const id = await detached("base", "sleep", "60");
    const settings = (await inspect(id)).NetworkSettings;
    expect(settings.Gateway).toBe(GATEWAY);
    expect(settings.IPPrefixLen).toBe(27);
    const octets = settings.IPAddress.split(".").map((n: string) => Number(n).toString(16).padStart(2, "0"));
    expect(settings.MacAddress).toBe(["02", "42", ...octets].join(":"));
    expect(settings.Networks.bridge).toMatchObject({ IPAddress: settings.IPAddress, Gateway: GATEWAY, IPPrefixLen: 27, MacAddress: settings.MacAddress });
    const listed = (await (await daemon.api("/containers/json")).json()) as { Id: string; NetworkSettings: { Networks: Record<string, { IPAddress: string }> } }[];
    expect(listed.find((c) => c.Id === id)!.NetworkSettings.Networks.bridge.IPAddress).toBe(settings.IPAddress);
    await daemon.bunkerOk("stop", "-t", "1", id);
    const stopped = (await inspect(id)).NetworkSettings;
    expect(stopped.IPAddress).toBe("");
    expect(stopped.Networks.bridge.IPAddress).toBe("");
    await daemon.bunkerOk("rm", id);
  });

  test("rounds of 20 containers leave no veth and give every address back", async () => {
    const baseline = bridgePorts().length;
    for (let round = 0; round < 2; round++) {
      const ids = await Promise.all(Array.from({ length: 20 }, () => detached("base", "sleep", "60")));
      const addresses = await Promise.all(ids.map(async (id) => (await inspect(id)).NetworkSettings.IPAddress));
      expect(new Set(addresses).size).toBe(20);
      expect(bridgePorts().length).toBe(baseline + 20);
      await daemon.bunkerOk("rm", "-f", ...ids);
      await eventually(() => bridgePorts().length === baseline);
    }
  }, 120_000);
});

describe("other modes", () => {
  test("--net none and -n=false have only lo", async () => {
    for (const flags of [["--net", "none"], ["-n=false"]]) {
      const dev = await daemon.bunkerOk("run", "--rm", ...flags, "base", "cat", "/proc/net/dev");
      const names = dev.split("\n").slice(2).filter(Boolean).map((line) => line.split(":")[0].trim());
      expect(names).toEqual(["lo"]);
    }
  });

  test("--net host sees the host's interfaces, and keeps its own hostname", async () => {
    const out = await daemon.bunkerOk("run", "--rm", "--net", "host", "-h", "inner", "base", "sh", "-c", "cat /proc/net/dev; hostname");
    expect(out).toContain(`${BRIDGE}:`);
    expect(out.trim().endsWith("inner")).toBe(true);
  });

  test("--net host without -h has the host's hostname, as under Docker", async () => {
    expect((await daemon.bunkerOk("run", "--rm", "--net", "host", "base", "hostname")).trim()).toBe(hostname());
  });

  test("--net container:NAME is kept by the other container's ID", async () => {
    const id = await detached("--name", "netowner", "base", "sleep", "60");
    const joined = (await daemon.bunkerOk("create", "--net", "container:netowner", "base", "true")).trim();
    expect((await daemon.bunkerOk("inspect", "-f", "{{.HostConfig.NetworkMode}}", joined)).trim()).toBe(`container:${id}`);
    await daemon.bunkerOk("rm", "-f", joined, id);
  });

  test("--net container: shares the other container's address; joining a stopped one fails", async () => {
    const id = await detached("base", "sleep", "60");
    const { IPAddress } = (await inspect(id)).NetworkSettings;
    expect(await daemon.bunkerOk("run", "--rm", "--net", `container:${id}`, "base", "ip", "-o", "-4", "addr")).toContain(IPAddress);
    await daemon.bunkerOk("rm", "-f", id);
    const stopped = (await daemon.bunkerOk("create", "base", "true")).trim();
    const r = await daemon.bunker("run", "--rm", "--net", `container:${stopped}`, "base", "true");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("not running");
  });
});

describe("daemon restart", () => {
  test("a killed daemon's leftover veths go, survivors keep their address", async () => {
    const survivor = await detached("base", "sleep", "600");
    const kept = (await inspect(survivor)).NetworkSettings;
    await daemon.kill9();
    // What a daemon killed between making a veth and recording it leaves on the bridge.
    const leftover = `veth${suffix.slice(0, 6)}z`;
    for (const argv of [["ip", "link", "add", leftover, "type", "veth", "peer", "name", `bkp${suffix}`], ["ip", "link", "set", leftover, "master", BRIDGE]]) {
      expect((await run(argv)).code).toBe(0);
    }
    await daemon.start();
    expect(bridgePorts()).not.toContain(leftover);
    expect(bridgePorts()).toContain(kept.EndpointID);
    const fresh = await detached("base", "sleep", "60");
    expect((await inspect(fresh)).NetworkSettings.IPAddress).not.toBe(kept.IPAddress);
    expect(await daemon.bunkerOk("run", "--rm", "base", "ping", "-c1", "-W2", kept.IPAddress)).toContain("1 packets received");
    await daemon.bunkerOk("rm", "-f", survivor, fresh);
    await eventually(() => bridgePorts().length === 0);
  });
});
