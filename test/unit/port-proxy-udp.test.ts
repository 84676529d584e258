import { afterAll, afterEach, describe, expect, test } from "bun:test";
import dgram from "node:dgram";
import { PortInUseError } from "../../src/network/proxy/listeners.ts";
import { UdpProxy, type UdpProxyOptions } from "../../src/network/proxy/udp-proxy.ts";

/** Answers each datagram with the source port it came from: which proxy flow carried it. */
const echo = dgram.createSocket("udp4");
echo.on("message", (message, from) => echo.send(`${from.port}:${message}`, from.port, from.address));
await new Promise<void>((resolve) => echo.bind(0, "127.0.0.1", () => resolve()));
const echoPort = echo.address().port;

const sockets: dgram.Socket[] = [];
const proxies: UdpProxy[] = [];

async function proxy(options: UdpProxyOptions = {}, hostIp = "127.0.0.1"): Promise<UdpProxy> {
  const opened = await UdpProxy.open({ hostIp, hostPort: 0, targetIp: "127.0.0.1", targetPort: echoPort }, options);
  proxies.push(opened);
  return opened;
}

function client(type: "udp4" | "udp6" = "udp4"): dgram.Socket {
  const socket = dgram.createSocket(type);
  sockets.push(socket);
  return socket;
}

/** Sends one datagram and waits (at most 2 s) for the answer: `upstreamPort:message`. */
async function ask(socket: dgram.Socket, port: number, message: string, host = "127.0.0.1"): Promise<{ flow: string; text: string }> {
  const reply = new Promise<string>((resolve) => socket.once("message", (data) => resolve(String(data))));
  socket.send(message, port, host);
  const answer = await Promise.race([reply, Bun.sleep(2000).then(() => "timeout:")]);
  const [flow, text] = answer.split(":");
  return { flow, text };
}

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((opened) => opened.stop()));
  for (const socket of sockets.splice(0)) socket.close();
});
afterAll(() => echo.close());

describe("UdpProxy", () => {
  test("two clients each get their own replies, over a flow each", async () => {
    const { port } = await proxy();
    const [one, two] = [client(), client()];
    const [a, b] = await Promise.all([ask(one, port, "one"), ask(two, port, "two")]);
    expect(a.text).toBe("one");
    expect(b.text).toBe("two");
    expect(a.flow).not.toBe(b.flow);
    // The same client keeps its flow.
    expect((await ask(one, port, "again")).flow).toBe(a.flow);
  });

  test("an idle flow expires; the client's next datagram opens a new one", async () => {
    const { port } = await proxy({ idleMs: 100 });
    const socket = client();
    const first = await ask(socket, port, "a");
    expect((await ask(socket, port, "b")).flow).toBe(first.flow);
    await Bun.sleep(300);
    const later = await ask(socket, port, "c");
    expect(later.text).toBe("c");
    expect(later.flow).not.toBe(first.flow);
  });

  test("at most maxFlows: a new client pushes out the idlest", async () => {
    const { port } = await proxy({ maxFlows: 1 });
    const [one, two] = [client(), client()];
    const first = await ask(one, port, "1");
    expect((await ask(two, port, "2")).text).toBe("2");
    const back = await ask(one, port, "3");
    expect(back.text).toBe("3");
    expect(back.flow).not.toBe(first.flow);
  });

  test("IPv6 clients reach an IPv4 target", async () => {
    const opened = await proxy({}, "::1");
    expect(opened.addresses).toEqual(["::1"]);
    expect((await ask(client("udp6"), opened.port, "six", "::1")).text).toBe("six");
  });

  test("an unspecified host IP listens on IPv4 and IPv6, one port for both", async () => {
    const opened = await proxy({}, "");
    expect(opened.addresses).toEqual(["0.0.0.0", "::"]);
    expect((await ask(client(), opened.port, "four")).text).toBe("four");
    expect((await ask(client("udp6"), opened.port, "six", "::1")).text).toBe("six");
  });

  test("a busy port is refused; stop() frees it at once", async () => {
    const opened = await UdpProxy.open({ hostIp: "127.0.0.1", hostPort: 0, targetIp: "127.0.0.1", targetPort: echoPort });
    const spec = { hostIp: "127.0.0.1", hostPort: opened.port, targetIp: "127.0.0.1", targetPort: echoPort };
    await expect(UdpProxy.open(spec)).rejects.toThrow(PortInUseError);
    await ask(client(), opened.port, "x");
    await opened.stop();
    const again = await UdpProxy.open(spec);
    expect(again.port).toBe(spec.hostPort);
    await again.stop();
  });
});
