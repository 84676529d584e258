import { afterAll, afterEach, describe, expect, test } from "bun:test";
import net from "node:net";
import { ConflictError } from "../../src/errors.ts";
import { PortInUseError } from "../../src/network/proxy/listeners.ts";
import { TcpProxy } from "../../src/network/proxy/tcp-proxy.ts";

/** Echoes as it reads; on the client's FIN it says "bye" and closes its side. */
const echo = Bun.listen({
  hostname: "127.0.0.1",
  port: 0,
  allowHalfOpen: true,
  socket: {
    data(socket, data) {
      socket.write(data);
    },
    end(socket) {
      socket.end("bye");
    },
  },
});

/** Greets and closes its side at once, then keeps reading: the FIN travels the other way. */
const received: string[] = [];
const greeter = Bun.listen({
  hostname: "127.0.0.1",
  port: 0,
  allowHalfOpen: true,
  socket: {
    open(socket) {
      // Not end(): a Bun socket's end() closes both directions, shutdown() only ours.
      socket.write("banner");
      socket.shutdown();
    },
    data(_socket, data) {
      received.push(String(data));
    },
  },
});

const proxies: TcpProxy[] = [];
async function proxyTo(port: number, hostIp = "127.0.0.1"): Promise<TcpProxy> {
  const proxy = await TcpProxy.open({ hostIp, hostPort: 0, targetIp: "127.0.0.1", targetPort: port });
  proxies.push(proxy);
  return proxy;
}

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.stop()));
});
afterAll(() => {
  echo.stop(true);
  greeter.stop(true);
});

function connect(port: number, host = "127.0.0.1"): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, allowHalfOpen: true }, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Everything the socket receives until the peer's FIN. */
function readAll(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    socket.on("data", (data) => (text += data));
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
  });
}

/** The peer is gone: its FIN (our side may stay half-open) or a full close. */
function ended(socket: net.Socket): Promise<unknown> {
  return new Promise((resolve) => {
    socket.once("end", resolve);
    socket.once("close", resolve);
  });
}

function nextData(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => socket.once("data", (data) => resolve(String(data))));
}

describe("TcpProxy", () => {
  test("data both ways, and the client's FIN reaches the target while the reply still comes back", async () => {
    const proxy = await proxyTo(echo.port);
    const client = await connect(proxy.port);
    const all = readAll(client);
    client.write("hello");
    expect(await nextData(client)).toBe("hello");
    client.end("world");
    expect(await all).toBe("helloworldbye");
    client.destroy();
  });

  test("the target's FIN reaches the client, which can still send", async () => {
    const proxy = await proxyTo(greeter.port);
    const client = await connect(proxy.port);
    expect(await readAll(client)).toBe("banner");
    client.end("late");
    await new Promise((resolve) => client.once("close", resolve));
    for (let i = 0; i < 100 && received.length === 0; i++) await Bun.sleep(10);
    expect(received.join("")).toBe("late");
  });

  test("many connections at once each get their own bytes", async () => {
    const proxy = await proxyTo(echo.port);
    const replies = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const client = await connect(proxy.port);
        const all = readAll(client);
        client.end(`connection ${i} `.repeat(100));
        const reply = await all;
        client.destroy();
        return reply === `${`connection ${i} `.repeat(100)}bye`;
      }),
    );
    expect(replies.every(Boolean)).toBe(true);
  });

  test("a target that stops reading holds the client back instead of filling the proxy", async () => {
    const CHUNK = 1024 * 1024;
    const LIMIT = 64;
    let delivered = 0;
    let reader: net.Socket | undefined;
    const slow = net.createServer((socket) => {
      reader = socket;
      socket.pause();
      socket.on("data", (data) => (delivered += data.length));
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", () => resolve()));
    try {
      const proxy = await proxyTo((slow.address() as net.AddressInfo).port);
      const client = await connect(proxy.port);
      // Write until the client's own buffer is full and no drain comes for half a second.
      let accepted = 0;
      for (let i = 0; i < LIMIT; i++) {
        accepted += CHUNK;
        if (client.write(new Uint8Array(CHUNK))) continue;
        const drained = await Promise.race([new Promise((resolve) => client.once("drain", () => resolve(true))), Bun.sleep(500).then(() => false)]);
        if (!drained) break;
      }
      expect(accepted).toBeLessThan(LIMIT * CHUNK);
      // Reading again lets everything through.
      reader?.resume();
      for (let i = 0; i < 500 && delivered < accepted; i++) await Bun.sleep(10);
      expect(delivered).toBe(accepted);
      client.destroy();
    } finally {
      reader?.destroy();
      slow.close();
    }
  }, 30_000);

  test("IPv6 loopback", async () => {
    const proxy = await proxyTo(echo.port, "::1");
    expect(proxy.addresses).toEqual(["::1"]);
    const client = await connect(proxy.port, "::1");
    const all = readAll(client);
    client.end("six");
    expect(await all).toBe("sixbye");
    client.destroy();
  });

  test("an unspecified host IP listens on IPv4 and IPv6, one port for both", async () => {
    const proxy = await proxyTo(echo.port, "");
    expect(proxy.addresses).toEqual(["0.0.0.0", "::"]);
    for (const host of ["127.0.0.1", "::1"]) {
      const client = await connect(proxy.port, host);
      const all = readAll(client);
      client.end(host);
      expect(await all).toBe(`${host}bye`);
      client.destroy();
    }
  });

  test("a target that refuses closes the client's connection", async () => {
    const closed = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = closed.port;
    closed.stop(true);
    const proxy = await proxyTo(port);
    const client = await connect(proxy.port);
    client.on("error", () => undefined);
    await ended(client);
    client.destroy();
  });

  test("a port someone else holds is a ConflictError in Docker's words", async () => {
    const holder = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const attempt = TcpProxy.open({ hostIp: "127.0.0.1", hostPort: holder.port, targetIp: "127.0.0.1", targetPort: echo.port });
      await expect(attempt).rejects.toThrow(PortInUseError);
      await expect(attempt).rejects.toThrow(ConflictError);
      await expect(attempt).rejects.toThrow(`Bind for 127.0.0.1:${holder.port} failed: port is already allocated`);
    } finally {
      holder.stop(true);
    }
  });

  test("stop() ends live connections and frees the port for an immediate listen", async () => {
    const proxy = await TcpProxy.open({ hostIp: "127.0.0.1", hostPort: 0, targetIp: "127.0.0.1", targetPort: echo.port });
    const port = proxy.port;
    const client = await connect(port);
    client.write("x");
    expect(await nextData(client)).toBe("x");
    const closed = ended(client);
    client.on("error", () => undefined);
    await proxy.stop();
    await closed;
    client.destroy();
    const again = await TcpProxy.open({ hostIp: "127.0.0.1", hostPort: port, targetIp: "127.0.0.1", targetPort: echo.port });
    expect(again.port).toBe(port);
    await again.stop();
  });

  test("throughput: 50 MB through the proxy on loopback", async () => {
    const TOTAL = 50 * 1024 * 1024;
    const sink = Bun.listen<{ bytes: number }>({
      hostname: "127.0.0.1",
      port: 0,
      allowHalfOpen: true,
      data: { bytes: 0 },
      socket: {
        open(socket) {
          socket.data = { bytes: 0 };
        },
        data(socket, data) {
          socket.data.bytes += data.length;
        },
        end(socket) {
          socket.end(String(socket.data.bytes));
        },
      },
    });
    try {
      const proxy = await proxyTo(sink.port);
      const client = await connect(proxy.port);
      const reply = readAll(client);
      const chunk = new Uint8Array(256 * 1024);
      const started = performance.now();
      for (let sent = 0; sent < TOTAL; sent += chunk.length) {
        if (!client.write(chunk)) await new Promise((resolve) => client.once("drain", resolve));
      }
      client.end();
      expect(await reply).toBe(String(TOTAL));
      const seconds = (performance.now() - started) / 1000;
      console.log(`tcp proxy: 50 MB in ${seconds.toFixed(3)} s, ${(50 / seconds).toFixed(0)} MB/s`);
      expect(seconds).toBeLessThan(10);
      client.destroy();
    } finally {
      sink.stop(true);
    }
  }, 60_000);
});
