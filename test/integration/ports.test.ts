/** Published ports through the daemon's own proxies: the 2013 seed's example, UDP, busy ports, cleanup at scale. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { createSocket } from "node:dgram";
import { join } from "node:path";
import { buildTar } from "../fixtures/tarballs.ts";
import { eventually, TestDaemon } from "./harness.ts";
import { TestBridge } from "./test-bridge.ts";

const bridge = new TestBridge();
const BRIDGE = bridge.name;
let daemon: TestDaemon;

beforeAll(async () => {
  daemon = await TestDaemon.withBase("ports", bridge.daemonArgs(24));
});
afterAll(async () => {
  try {
    await daemon?.cleanup();
  } finally {
    await bridge.remove();
  }
});

function hostPort(portOutput: string): number {
  return Number(portOutput.trim().split("\n")[0].split(":").pop());
}

function send(port: number, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port }, () => socket.end(text));
    socket.on("close", () => resolve());
    socket.on("error", reject);
  });
}

/** Sockets listening on a TCP port (state 0A in /proc/net/tcp*). */
async function listenerCount(port: number): Promise<number> {
  const local = `:${port.toString(16).toUpperCase().padStart(4, "0")} `;
  const text = (await Bun.file("/proc/net/tcp").text()) + (await Bun.file("/proc/net/tcp6").text());
  return text.split("\n").filter((line) => line.includes(local) && line.includes(" 0A ")).length;
}

describe("published ports", () => {
  test("the seed's example: nc in a container, a published port, hello world in its logs", async () => {
    const job = (await daemon.bunkerOk("run", "-d", "-p", "4444", "base", "nc", "-l", "-p", "4444")).trim();
    const port = hostPort(await daemon.bunkerOk("port", job, "4444"));
    expect(port).toBeGreaterThan(1023);
    await send(port, "hello world\n");
    await eventually(async () => (await daemon.bunker("logs", job)).stdout === "hello world\n");
  });

  test("UDP: datagrams sent to 127.0.0.1:5353 reach the container's port 53; ps shows ->53/udp", async () => {
    const work = mkdtempSync("/tmp/bunker-udp-");
    try {
      const binary = join(work, "udp-receiver");
      const built = Bun.spawnSync(["cc", "-static", "-O2", "-o", binary, join(import.meta.dir, "../fixtures/udp-receiver.c")]);
      expect(built.exitCode).toBe(0);
      const tar = await buildTar([{ name: "bin/udp-receiver", content: Buffer.from(await Bun.file(binary).arrayBuffer()), mode: 0o755 }]);
      await Bun.write(join(work, "udp.tar"), tar);
      await daemon.bunkerOk("import", join(work, "udp.tar"), "udp");
      const id = (await daemon.bunkerOk("run", "-d", "-p", "5353:53/udp", "udp", "/bin/udp-receiver", "53")).trim();
      expect(await daemon.bunkerOk("ps")).toMatch(/0\.0\.0\.0:5353->53\/udp/);
      const client = createSocket("udp4");
      await eventually(async () => {
        await new Promise<void>((resolve) => client.send("ping over udp\n", 5353, "127.0.0.1", () => resolve()));
        return (await daemon.bunker("logs", id)).stdout.includes("ping over udp\n");
      });
      client.close();
      await daemon.bunkerOk("rm", "-f", id);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  test("a busy host port is a clear error, and nothing is left half-made", async () => {
    const squatter = createServer().listen(0, "0.0.0.0");
    await new Promise((resolve) => squatter.once("listening", resolve));
    const busy = (squatter.address() as { port: number }).port;
    try {
      const r = await daemon.bunker("run", "-d", "-p", `${busy}:80`, "base", "sleep", "60");
      expect(r.code).toBe(125);
      expect(r.stderr).toContain(`Bind for 0.0.0.0:${busy} failed: port is already allocated`);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      // The container was created and never started: no address, veth or listener of its own.
      const ps = await daemon.bunkerOk("ps", "-a", "--no-trunc");
      const line = ps.split("\n").find((l) => l.includes("sleep 60") && l.includes("Created"));
      expect(line).toBeDefined();
      const id = line!.split(/\s+/)[0];
      const inspect = JSON.parse(await daemon.bunkerOk("inspect", id))[0];
      expect(inspect.NetworkSettings.IPAddress).toBe("");
      await daemon.bunkerOk("rm", id);
    } finally {
      squatter.close();
    }
  });

  test("100 containers with a published port each, started and removed: veths, ports and listeners back to baseline", async () => {
    const veths = () => Bun.spawnSync(["ip", "-o", "link", "show", "master", BRIDGE]).stdout.toString().split("\n").filter(Boolean).length;
    const before = veths();
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push((await daemon.bunkerOk("run", "-d", "-p", `${20000 + i}:80`, "base", "sleep", "300")).trim());
    expect(veths()).toBe(before + 100);
    expect(await listenerCount(20050)).toBeGreaterThan(0);
    await daemon.bunkerOk("rm", "-f", ...ids);
    expect(veths()).toBe(before);
    for (const port of [20000, 20050, 20099]) expect(await listenerCount(port)).toBe(0);
    // A port freed is published again at once.
    const again = (await daemon.bunkerOk("run", "-d", "-p", "20050:80", "base", "sleep", "30")).trim();
    expect(await daemon.bunkerOk("port", again, "80")).toContain(":20050");
    await daemon.bunkerOk("rm", "-f", again);
  }, 300_000);

  test("inspect's NetworkSettings.Ports and HostConfig.PortBindings, and -P publishes every exposed port", async () => {
    const id = (await daemon.bunkerOk("run", "-d", "-p", "127.0.0.1:18080:80", "--expose", "90", "-P", "base", "sleep", "60")).trim();
    const [inspect] = JSON.parse(await daemon.bunkerOk("inspect", id));
    expect(inspect.HostConfig.PortBindings).toEqual({ "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "18080" }] });
    expect(inspect.NetworkSettings.Ports["80/tcp"]).toEqual([{ HostIp: "127.0.0.1", HostPort: "18080" }]);
    expect(inspect.NetworkSettings.Ports["90/tcp"][0].HostIp).toBe("0.0.0.0");
    await daemon.bunkerOk("rm", "-f", id);
  });

  test("a container that survives a daemon SIGKILL keeps its published port", async () => {
    const id = (await daemon.bunkerOk("run", "-d", "-p", "4545", "base", "sh", "-c", "while true; do nc -l -p 4545; done")).trim();
    const port = hostPort(await daemon.bunkerOk("port", id, "4545"));
    await daemon.kill9();
    await daemon.start();
    await eventually(async () => (await daemon.bunker("port", id, "4545")).stdout.includes(`:${port}`));
    await send(port, "after restart\n");
    await eventually(async () => (await daemon.bunker("logs", id)).stdout.includes("after restart\n"));
    await daemon.bunkerOk("rm", "-f", id);
  });

  test("docker run -p, docker port and docker ps print what Docker prints", async () => {
    const r = await daemon.docker("run", "-d", "--name", "web", "-p", "18181:80", "-p", "53/udp", "base", "sleep", "60");
    expect(r.code).toBe(0);
    const port = await daemon.docker("port", "web");
    expect(port.stdout).toMatch(/^53\/udp -> 0\.0\.0\.0:\d+\n53\/udp -> \[::\]:\d+\n80\/tcp -> 0\.0\.0\.0:18181\n80\/tcp -> \[::\]:18181\n$/);
    expect((await daemon.docker("port", "web", "80/tcp")).stdout).toBe("0.0.0.0:18181\n[::]:18181\n");
    expect((await daemon.docker("ps")).stdout).toMatch(/0\.0\.0\.0:\d+->53\/udp, \[::\]:\d+->53\/udp, 0\.0\.0\.0:18181->80\/tcp, \[::\]:18181->80\/tcp\s+web/);
    await daemon.docker("rm", "-f", "web");
  });
});
