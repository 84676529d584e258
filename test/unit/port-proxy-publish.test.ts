import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConflictError } from "../../src/errors.ts";
import { PortInUseError } from "../../src/network/proxy/listeners.ts";
import { ephemeralRange, PortAllocator } from "../../src/network/proxy/port-allocator.ts";
import { PortPublisher } from "../../src/network/proxy/publisher.ts";

const echo = Bun.listen({
  hostname: "127.0.0.1",
  port: 0,
  socket: {
    data(socket, data) {
      socket.write(data);
    },
  },
});
afterAll(() => echo.stop(true));

/** A port nobody listens on right now. */
function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

/** One round trip through a published port. */
function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => socket.write(text));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(String(data));
    });
    socket.once("error", reject);
  });
}

describe("ephemeralRange", () => {
  const dir = mkdtempSync(join(tmpdir(), "bunker-ports-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("reads the kernel's range, and falls back to Linux's default", () => {
    const file = join(dir, "range");
    writeFileSync(file, "40000\t40010\n");
    expect(ephemeralRange(file)).toEqual({ first: 40000, last: 40010 });
    writeFileSync(file, "nonsense");
    expect(ephemeralRange(file)).toEqual({ first: 32768, last: 60999 });
    expect(ephemeralRange(join(dir, "missing"))).toEqual({ first: 32768, last: 60999 });
    const host = ephemeralRange();
    expect(host.first).toBeLessThanOrEqual(host.last);
  });
});

describe("PortAllocator", () => {
  const opened = async (port: number) => port;

  test("picks round the range, never a port it holds, and says when all are taken", async () => {
    const allocator = new PortAllocator({ first: 50000, last: 50002 });
    const picks = [];
    for (let i = 0; i < 3; i++) picks.push((await allocator.acquire("tcp", null, opened)).port);
    expect(picks).toEqual([50000, 50001, 50002]);
    await expect(allocator.acquire("tcp", null, opened)).rejects.toThrow(ConflictError);
    await expect(allocator.acquire("tcp", null, opened)).rejects.toThrow("all ports are allocated");
    // Another protocol has its own ports.
    expect((await allocator.acquire("udp", null, opened)).port).toBe(50000);
    allocator.release("tcp", 50001);
    expect((await allocator.acquire("tcp", null, opened)).port).toBe(50001);
  });

  test("a port someone else holds is skipped when picking, and refused when named", async () => {
    const allocator = new PortAllocator({ first: 50000, last: 50009 });
    const busy = async (port: number) => {
      if (port === 50000) throw new PortInUseError(`Bind for 0.0.0.0:${port} failed: port is already allocated`);
      return port;
    };
    expect((await allocator.acquire("tcp", null, busy)).port).toBe(50001);
    expect((await allocator.acquire("tcp", { first: 50000, last: 50005 }, busy)).port).toBe(50002);
    await expect(allocator.acquire("tcp", { first: 50000, last: 50000 }, busy)).rejects.toThrow("Bind for 0.0.0.0:50000 failed: port is already allocated");
  });

  test("picks running at once get different ports", async () => {
    const allocator = new PortAllocator({ first: 50000, last: 50009 });
    const slow = async (port: number) => {
      await Bun.sleep(5);
      return port;
    };
    const picks = await Promise.all([1, 2, 3].map(() => allocator.acquire("tcp", { first: 50000, last: 50009 }, slow)));
    expect(picks.map((pick) => pick.port)).toEqual([50000, 50001, 50002]);
  });

  test("other failures stop the search", async () => {
    const allocator = new PortAllocator({ first: 50000, last: 50009 });
    const broken = async (): Promise<number> => {
      throw new Error("out of descriptors");
    };
    await expect(allocator.acquire("tcp", null, broken)).rejects.toThrow("out of descriptors");
  });
});

describe("PortPublisher", () => {
  const allocator = new PortAllocator();
  const target = `${echo.port}/tcp`;

  test("an empty host port gets one from the ephemeral range, and traffic flows", async () => {
    const publisher = new PortPublisher(allocator);
    const published = await publisher.publish({ [target]: [{ HostIp: "127.0.0.1", HostPort: "" }] }, "127.0.0.1");
    expect(published).toHaveLength(1);
    const [{ hostIp, hostPort, containerPort, proto }] = published;
    expect({ hostIp, containerPort, proto }).toEqual({ hostIp: "127.0.0.1", containerPort: echo.port, proto: "tcp" });
    const range = ephemeralRange();
    expect(hostPort).toBeGreaterThanOrEqual(range.first);
    expect(hostPort).toBeLessThanOrEqual(range.last);
    expect(await roundTrip(hostPort, "through")).toBe("through");
    await publisher.release();
  });

  test("two containers never get the same ephemeral port", async () => {
    const [a, b] = [new PortPublisher(allocator), new PortPublisher(allocator)];
    const bindings = { [target]: [{ HostIp: "127.0.0.1", HostPort: "" }] };
    const [pa, pb] = await Promise.all([a.publish(bindings, "127.0.0.1"), b.publish(bindings, "127.0.0.1")]);
    expect(pa[0].hostPort).not.toBe(pb[0].hostPort);
    await Promise.all([a.release(), b.release()]);
  });

  test("all or nothing: a busy port closes what the container had opened already", async () => {
    const holder = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const first = freePort();
    try {
      const publisher = new PortPublisher(allocator);
      const bindings = {
        [target]: [{ HostIp: "127.0.0.1", HostPort: `${first}` }],
        "9999/udp": [{ HostIp: "127.0.0.1", HostPort: "" }],
        "9998/tcp": [{ HostIp: "127.0.0.1", HostPort: `${holder.port}` }],
      };
      const attempt = publisher.publish(bindings, "127.0.0.1");
      await expect(attempt).rejects.toThrow(ConflictError);
      await expect(attempt).rejects.toThrow(`Bind for 127.0.0.1:${holder.port} failed: port is already allocated`);
      // The port opened before the failure is free again, right away.
      const again = Bun.listen({ hostname: "127.0.0.1", port: first, socket: { data() {} } });
      again.stop(true);
      await publisher.release();
    } finally {
      holder.stop(true);
    }
  });

  test("release is idempotent and a freed port can be published again at once", async () => {
    const port = freePort();
    const bindings = { [target]: [{ HostIp: "127.0.0.1", HostPort: `${port}` }] };
    for (let i = 0; i < 3; i++) {
      const publisher = new PortPublisher(allocator);
      expect((await publisher.publish(bindings, "127.0.0.1"))[0].hostPort).toBe(port);
      expect(await roundTrip(port, `round ${i}`)).toBe(`round ${i}`);
      await Promise.all([publisher.release(), publisher.release()]);
      await publisher.release();
    }
  });

  test("a release while publishing waits for it and closes what it opened", async () => {
    const port = freePort();
    const publisher = new PortPublisher(allocator);
    const publishing = publisher.publish({ [target]: [{ HostIp: "127.0.0.1", HostPort: `${port}` }] }, "127.0.0.1");
    await publisher.release();
    await publishing;
    const again = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
    again.stop(true);
  });

  test("invalid bindings are refused before anything opens", async () => {
    const publisher = new PortPublisher(allocator);
    await expect(publisher.publish({ "80/sctp": [] }, "127.0.0.1")).rejects.toThrow("Invalid proto: sctp");
  });
});
