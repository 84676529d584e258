/**
 * User-defined networks end to end: the default networks as Docker lists them, create /
 * inspect / rm, names and aliases through the embedded DNS server (UDP, TCP, NXDOMAIN,
 * forwarding to an upstream in a namespace this file makes), connect and disconnect on a
 * running container, isolation between networks, `--internal`, masquerading and kernel DNAT
 * from "another host" (that namespace). The daemon runs with no iptables or nft on its PATH:
 * the firewall is its own nftables table, written over netlink.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { eventually, run, TestDaemon } from "./harness.ts";
import { TestBridge } from "./test-bridge.ts";
import { TestNetns } from "./test-netns.ts";
import { askTcp, askUdp } from "./dns-client.ts";

const bridge = new TestBridge();
const outside = new TestNetns();
const DAEMON_PATH = "/usr/local/bin:/usr/bin:/bin";
let daemon: TestDaemon;
let upstream: ReturnType<TestNetns["spawn"]>;

beforeAll(async () => {
  await outside.create();
  upstream = outside.spawn(["python3", join(import.meta.dir, "../fixtures/fake-dns.py"), outside.address]);
  const reader = upstream.stdout.getReader();
  expect(new TextDecoder().decode((await reader.read()).value)).toContain("ready");
  reader.releaseLock();
  daemon = new TestDaemon("networks", [...bridge.daemonArgs(24), "--dns", outside.address]);
  daemon.env = { PATH: DAEMON_PATH };
  await daemon.start();
  await daemon.importBase();
});
afterAll(async () => {
  try {
    await daemon.cleanup();
  } finally {
    upstream?.kill();
    await outside.remove();
    await bridge.remove();
  }
});

async function inspectNetwork(name: string) {
  return JSON.parse(await daemon.bunkerOk("network", "inspect", name))[0];
}

/** A busybox httpd serving `text` at / on port 80, logging each client (`-vv`) to the container's stderr. */
function webServer(text: string): string[] {
  return ["sh", "-c", `mkdir -p /w && echo ${text} > /w/index.html && exec httpd -f -vv -p 80 -h /w`];
}

/** `GET /` from `host`, port 80, with busybox nc (busybox-static's wget crashes resolving): the body, "" when unreachable. */
function httpGet(host: string): string[] {
  return ["sh", "-c", `printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 2 ${host} 80 | sed '1,/^\r$/d'`];
}

async function fetchFrom(network: string, host: string): Promise<string> {
  return (await daemon.bunker("run", "--rm", "--network", network, "base", ...httpGet(host))).stdout;
}

async function gatewayOf(network: string): Promise<string> {
  return (await inspectNetwork(network)).IPAM.Config[0].Gateway;
}

describe("networks", () => {
  test("the daemon's PATH has neither iptables nor nft", () => {
    expect(Bun.which("iptables", { PATH: DAEMON_PATH })).toBeNull();
    expect(Bun.which("nft", { PATH: DAEMON_PATH })).toBeNull();
  });

  test("bridge, host and none are listed as Docker lists them; the bridge network shows its gateway", async () => {
    const listed = await daemon.docker("network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}");
    expect(listed.stdout.trim().split("\n").sort()).toEqual(["bridge bridge local", "host host local", "none null local"]);
    const gateway = await daemon.docker("network", "inspect", "bridge", "--format", "{{(index .IPAM.Config 0).Gateway}}");
    expect(gateway.stdout.trim()).toBe(bridge.gateway);
    const removed = await daemon.bunker("network", "rm", "bridge");
    expect(removed.code).toBe(1);
    expect(removed.stderr).toContain("bridge is a pre-defined network and cannot be removed");
  });

  test("create with a subnet and labels, inspect, a duplicate name refused, ls, rm", async () => {
    const id = (await daemon.bunkerOk("network", "create", "--subnet", "172.29.7.0/24", "--label", "tier=test", "made")).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const network = await inspectNetwork("made");
    expect(network).toMatchObject({ Name: "made", Id: id, Driver: "bridge", Scope: "local", Internal: false, Labels: { tier: "test" } });
    expect(network.IPAM.Config).toEqual([{ Subnet: "172.29.7.0/24", Gateway: "172.29.7.1" }]);
    expect(await run(["ip", "-4", "addr", "show", `br-${id.slice(0, 12)}`]).then((r) => r.stdout)).toContain("172.29.7.1/24");
    const again = await daemon.docker("network", "create", "made");
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("network with name made already exists");
    expect(await daemon.bunkerOk("network", "ls", "--filter", "label=tier=test", "--format", "{{.Name}}")).toBe("made\n");
    expect(await daemon.bunkerOk("network", "rm", id.slice(0, 5))).toBe(`${id.slice(0, 5)}\n`);
    expect((await run(["ip", "link", "show", `br-${id.slice(0, 12)}`])).code).not.toBe(0);
  });

  test("two containers on one network reach each other by name, alias and name.network; other networks cannot", async () => {
    await daemon.bunkerOk("network", "create", "front");
    await daemon.bunkerOk("network", "create", "back");
    const web = (await daemon.bunkerOk("run", "-d", "--name", "web", "--network", "front", "--network-alias", "www", "base", ...webServer("hello-front"))).trim();
    for (const name of ["web", "www", "web.front", web.slice(0, 12)]) {
      expect({ name, body: await fetchFrom("front", name) }).toEqual({ name, body: "hello-front\n" });
    }
    const address = (await daemon.bunkerOk("inspect", "-f", "{{.NetworkSettings.Networks.front.IPAddress}}", "web")).trim();
    expect(await fetchFrom("back", address)).toBe("");
    const lookedUp = await daemon.bunker("run", "--rm", "--network", "back", "base", "nslookup", "web");
    expect(lookedUp.code).not.toBe(0);
    expect(`${lookedUp.stdout}${lookedUp.stderr}`).toContain("NXDOMAIN");
  });

  test("the DNS server: A records with a TTL, NXDOMAIN, an empty AAAA, TCP, and other names forwarded upstream", async () => {
    const server = await gatewayOf("front");
    const web = (await daemon.bunkerOk("inspect", "-f", "{{.NetworkSettings.Networks.front.IPAddress}}", "web")).trim();
    expect(await askUdp(server, "web")).toEqual({ rcode: 0, addresses: [web], ttls: [600] });
    expect(await askUdp(server, "WWW.front")).toMatchObject({ rcode: 0, addresses: [web] });
    expect(await askUdp(server, "nothing-here")).toMatchObject({ rcode: 3, addresses: [] });
    expect(await askUdp(server, "web", 28)).toMatchObject({ rcode: 0, addresses: [] });
    expect(await askTcp(server, "web")).toMatchObject({ rcode: 0, addresses: [web] });
    expect(await askUdp(server, "outside.example")).toMatchObject({ rcode: 0, addresses: ["198.51.100.7"] });
    expect(await askTcp(server, "outside.example")).toMatchObject({ rcode: 0, addresses: ["198.51.100.7"] });
    expect(await askUdp(server, "missing.example")).toMatchObject({ rcode: 3 });
    const resolv = await daemon.bunkerOk("run", "--rm", "--network", "front", "base", "cat", "/etc/resolv.conf");
    expect(resolv).toBe(`nameserver ${server}\n`);
    // A container's own --dns is where the network's server forwards its questions; names still resolve.
    const own = "cat /etc/resolv.conf; nslookup web >/dev/null && echo web-found; nslookup outside.example | grep -q 198.51.100.7 && echo outside-found";
    expect(await daemon.bunkerOk("run", "--rm", "--network", "front", "--dns", outside.address, "base", "sh", "-c", own)).toBe(`nameserver ${server}\nweb-found\noutside-found\n`);
  });

  test("connect and disconnect a running container: it gains and loses an interface and the names", async () => {
    const probe = (await daemon.bunkerOk("run", "-d", "--network", "back", "base", "sleep", "120")).trim();
    expect(await daemon.bunkerOk("exec", probe, "ls", "/sys/class/net")).toBe("eth0\nlo\n");
    await daemon.bunkerOk("network", "connect", "--alias", "prober", "front", probe);
    expect(await daemon.bunkerOk("exec", probe, "ls", "/sys/class/net")).toBe("eth0\neth1\nlo\n");
    expect(await daemon.bunkerOk("exec", probe, ...httpGet("web"))).toBe("hello-front\n");
    const onFront = await inspectNetwork("front");
    expect(Object.keys(onFront.Containers)).toContain(probe);
    expect(await askUdp(await gatewayOf("front"), "prober")).toMatchObject({ rcode: 0, addresses: [onFront.Containers[probe].IPv4Address.split("/")[0]] });
    await daemon.bunkerOk("network", "disconnect", "front", probe);
    expect(await daemon.bunkerOk("exec", probe, "ls", "/sys/class/net")).toBe("eth0\nlo\n");
    expect(await askUdp(await gatewayOf("front"), "prober")).toMatchObject({ rcode: 3 });
    const twice = await daemon.bunker("network", "disconnect", "front", probe);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain("is not connected to network front");
    await daemon.bunkerOk("rm", "-f", probe);
  });

  test("--internal: containers reach each other by name but neither the world nor the host's other addresses", async () => {
    let accepted = 0;
    const listener = Bun.listen({ hostname: "0.0.0.0", port: 0, socket: { open: (socket) => void (accepted++, socket.end("host-service\n")), data: () => {} } });
    try {
      await daemon.bunkerOk("network", "create", "--internal", "sealed");
      await daemon.bunkerOk("run", "-d", "--name", "vault", "--network", "sealed", "base", ...webServer("hello-sealed"));
      expect(await fetchFrom("sealed", "vault")).toBe("hello-sealed\n");
      // The control: a container on a network with a way out reaches the host's listener.
      expect((await daemon.bunker("run", "--rm", "--network", "front", "base", "nc", "-w", "2", bridge.gateway, String(listener.port))).stdout).toBe("host-service\n");
      const before = accepted;
      for (const address of [bridge.gateway, outside.hostAddress]) {
        const tried = await daemon.bunker("run", "--rm", "--network", "sealed", "base", "nc", "-w", "2", address, String(listener.port));
        expect({ address, stdout: tried.stdout }).toEqual({ address, stdout: "" });
      }
      expect((await daemon.bunker("run", "--rm", "--network", "sealed", "base", "nc", "-w", "2", outside.address, "53")).code).not.toBe(0);
      expect(accepted).toBe(before);
      // Connected to a network with a way out, a sealed container gets its default route through it.
      const sealed = (await daemon.bunkerOk("run", "-d", "--network", "sealed", "base", "sleep", "60")).trim();
      expect(await daemon.bunkerOk("exec", sealed, "sh", "-c", "ip route | grep -c default || true")).toBe("0\n");
      await daemon.bunkerOk("network", "connect", "front", sealed);
      expect(await daemon.bunkerOk("exec", sealed, "nc", "-w", "2", outside.hostAddress, String(listener.port))).toBe("host-service\n");
      await daemon.bunkerOk("rm", "-f", sealed);
    } finally {
      listener.stop(true);
      await daemon.bunker("rm", "-f", "vault");
    }
  });

  test("masquerading: a container reaches another host (a namespace with no route back) as the host; info has no firewall warning", async () => {
    const server = outside.spawn(["python3", "-c", "import socket\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(('0.0.0.0',7070))\ns.listen()\nprint('ready',flush=True)\nc,a=s.accept()\nc.sendall((a[0]+'\\n').encode())\nc.close()"]);
    try {
      const reader = server.stdout.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain("ready");
      const seen = await daemon.bunkerOk("run", "--rm", "--network", "front", "base", "nc", "-w", "3", outside.address, "7070");
      expect(seen).toBe(`${outside.hostAddress}\n`);
    } finally {
      server.kill();
    }
    const info = (await (await daemon.api("/info")).json()) as { Warnings: string[] | null };
    expect((info.Warnings ?? []).filter((w) => /iptables|nft|firewall|forwarding/i.test(w))).toEqual([]);
  });

  test("a published port is reached from another host through kernel DNAT: the container sees the real client", async () => {
    const id = (await daemon.bunkerOk("run", "-d", "--network", "front", "-p", "18480:80", "base", ...webServer("hello-dnat"))).trim();
    try {
      const fetched = await outside.exec(["curl", "-s", "--max-time", "3", `http://${outside.hostAddress}:18480/`]);
      expect(fetched.stdout).toBe("hello-dnat\n");
      // httpd logs each client as [::ffff:ADDRESS]:PORT; through the proxy it would be the gateway.
      await eventually(async () => (await daemon.bunker("logs", id)).stderr.includes(`${outside.address}]:`));
      // Loopback still goes through the in-process proxy.
      expect(await run(["curl", "-s", "--max-time", "3", "http://127.0.0.1:18480/"]).then((r) => r.stdout)).toBe("hello-dnat\n");
    } finally {
      await daemon.bunkerOk("rm", "-f", id);
    }
    expect((await outside.exec(["curl", "-s", "--max-time", "2", `http://${outside.hostAddress}:18480/`])).code).not.toBe(0);
  });

  test("network rm takes the bridge and every rule of the network; one in use is refused", async () => {
    const network = await inspectNetwork("back");
    const bridgeName = `br-${network.Id.slice(0, 12)}`;
    expect((await run(["nft", "list", "table", "ip", bridge.table])).stdout).toContain(bridgeName);
    const user = (await daemon.bunkerOk("run", "-d", "--network", "back", "base", "sleep", "60")).trim();
    const refused = await daemon.bunker("network", "rm", "back");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("has active endpoints");
    await daemon.bunkerOk("rm", "-f", user);
    await daemon.bunkerOk("network", "rm", "back");
    expect((await run(["ip", "link", "show", bridgeName])).code).not.toBe(0);
    expect((await run(["nft", "list", "table", "ip", bridge.table])).stdout).not.toContain(bridgeName);
  });

  test("network prune removes the unused networks only", async () => {
    await daemon.bunkerOk("network", "create", "unused");
    const pruned = await daemon.bunkerOk("network", "prune", "-f");
    expect(pruned).toContain("Deleted Networks:\n");
    expect(pruned).toContain("unused\n");
    expect(pruned).not.toContain("front");
    const names = (await daemon.bunkerOk("network", "ls", "--format", "{{.Name}}")).trim().split("\n").sort();
    expect(names).toContain("front");
    expect(names).not.toContain("unused");
  });
});
