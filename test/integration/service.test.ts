/**
 * The daemon as a service: its systemd units pass `systemd-analyze verify`; started by
 * `systemd-socket-activate` with `-H fd://` it serves the socket systemd holds; on TCP with
 * `--tlsverify` the docker CLI with a client certificate is served, a client without one is
 * refused, and so is plain HTTP; daemon.json settings take effect, and a setting given twice
 * stops the start.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, eventually, makeBusyboxTarball, ok, run, TestDaemon } from "./harness.ts";
import { issueCert, makeCa } from "./test-ca.ts";

const REPO = join(import.meta.dir, "../..");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync("/tmp/bunker-test-service-");
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A free loopback TCP port. */
function freePort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

describe("systemd", () => {
  test("systemd-analyze verify passes on bunker.service and bunker.socket", async () => {
    // The units name /usr/local/bin/bunker, where the README installs it; verify checks the
    // command exists, so the copy verified here names the binary under test instead.
    const units = join(dir, "units");
    Bun.spawnSync(["mkdir", "-p", units]);
    for (const unit of ["bunker.service", "bunker.socket"]) {
      writeFileSync(join(units, unit), readFileSync(join(REPO, "contrib/systemd", unit), "utf8").replaceAll("/usr/local/bin/bunker", BIN));
    }
    const verified = await run(["systemd-analyze", "verify", join(units, "bunker.socket"), join(units, "bunker.service")]);
    expect(verified.stderr).toBe("");
    expect(verified.code).toBe(0);
    expect(readFileSync(join(REPO, "contrib/systemd/bunker.service"), "utf8")).toMatch(/^Delegate=yes$[\s\S]*^KillMode=process$/m);
    expect(readFileSync(join(REPO, "contrib/systemd/bunker.socket"), "utf8")).toMatch(/^SocketMode=0660$[\s\S]*^SocketGroup=bunker$/m);
  });

  test("systemd-socket-activate -l SOCK bunker daemon -H fd:// serves its first request on SOCK", async () => {
    const socket = join(dir, "activated.sock");
    const daemon = Bun.spawn(["systemd-socket-activate", "-l", socket, BIN, "daemon", "-H", "fd://", "--root", join(dir, "activated-root"), "--pidfile", join(dir, "activated.pid"), "--bridge", "none"], {
      stdout: "ignore",
      stderr: "pipe",
    });
    try {
      await eventually(async () => {
        try {
          return (await fetch("http://localhost/_ping", { unix: socket } as RequestInit)).ok;
        } catch {
          return false;
        }
      });
      const version = (await (await fetch("http://localhost/version", { unix: socket } as RequestInit)).json()) as { ApiVersion: string };
      expect(version.ApiVersion).toBe("1.41");
    } finally {
      daemon.kill("SIGTERM");
      await daemon.exited;
    }
  });
});

describe("TLS", () => {
  let daemon: TestDaemon;
  let port: number;
  let client: { cert: string; key: string };
  let ca: { cert: string; key: string };

  beforeAll(async () => {
    ca = makeCa(dir);
    const server = issueCert(ca, dir, "server", { serverIp: "127.0.0.1" });
    client = issueCert(ca, dir, "client", { client: true });
    port = freePort();
    daemon = new TestDaemon("tls", ["--bridge", "none", "-H", `tcp://127.0.0.1:${port}`, "--tlsverify", "--tlscacert", ca.cert, "--tlscert", server.cert, "--tlskey", server.key]);
    await daemon.start();
  }, 60_000);
  afterAll(async () => {
    await daemon?.cleanup();
  });

  const host = () => `tcp://127.0.0.1:${port}`;

  test("the docker CLI with a certificate the CA signed is served", async () => {
    const version = await ok(run(["docker", "--tlsverify", "--tlscacert", ca.cert, "--tlscert", client.cert, "--tlskey", client.key, "-H", host(), "version", "--format", "{{.Server.APIVersion}}"]));
    expect(version.trim()).toBe("1.41");
  });

  test("bunker's CLI too: --tlsverify with the files, or DOCKER_CERT_PATH and DOCKER_TLS_VERIFY; run and exec over TLS", async () => {
    const flags = ["--tlsverify", "--tlscacert", ca.cert, "--tlscert", client.cert, "--tlskey", client.key, "-H", host()];
    // The base image comes over the test's unix socket.
    await ok(daemon.bunker("import", makeBusyboxTarball(join(dir, "base.tar")), "base"));
    expect(await ok(run([BIN, ...flags, "run", "--rm", "base", "echo", "over tls"]))).toBe("over tls\n");
    const id = (await ok(run([BIN, ...flags, "run", "-d", "base", "sleep", "30"]))).trim();
    expect(await ok(run([BIN, ...flags, "exec", "-i", id, "cat"], {}, "typed over tls\n"))).toBe("typed over tls\n");
    const certs = join(dir, "certs");
    Bun.spawnSync(["mkdir", "-p", certs]);
    for (const [from, to] of [[ca.cert, "ca.pem"], [client.cert, "cert.pem"], [client.key, "key.pem"]]) writeFileSync(join(certs, to), readFileSync(from));
    expect((await ok(run([BIN, "-H", host(), "ps", "-q"], { DOCKER_CERT_PATH: certs, DOCKER_TLS_VERIFY: "1" }))).trim()).toBe(id.slice(0, 12));
    expect((await run([BIN, "-H", host(), "ps"])).code).not.toBe(0);
    await ok(daemon.bunker("rm", "-f", id));
  });

  test("a client without a certificate is refused, and so is plain HTTP", async () => {
    const noCert = await run(["docker", "--tls", "--tlscacert", ca.cert, "-H", host(), "version"]);
    expect(noCert.code).not.toBe(0);
    const plain = await run(["curl", "-sS", "--max-time", "5", `http://127.0.0.1:${port}/_ping`]);
    expect(plain.code).not.toBe(0);
    expect(plain.stdout).not.toContain("OK");
  });
});

describe("daemon.json", () => {
  test("insecure-registries and dns take effect", async () => {
    const config = join(dir, "daemon.json");
    writeFileSync(config, JSON.stringify({ dns: ["10.9.8.7"], "insecure-registries": ["myreg.test:5000"] }));
    const daemon = await TestDaemon.withBase("config", ["--bridge", "none", "--config-file", config]);
    try {
      expect(await daemon.bunkerOk("run", "--rm", "base", "cat", "/etc/resolv.conf")).toBe("nameserver 10.9.8.7\n");
      expect((await ok(daemon.docker("info"))).replace(/\n {2}/g, "\n")).toContain(" Insecure Registries:\nmyreg.test:5000\n127.0.0.0/8\n");
    } finally {
      await daemon.cleanup();
    }
  });

  test("SIGHUP reloads the registry settings and the log level from the file, without a restart", async () => {
    const config = join(dir, "reload.json");
    writeFileSync(config, JSON.stringify({ "insecure-registries": ["first.test:5000"] }));
    const daemon = new TestDaemon("reload", ["--bridge", "none", "--config-file", config]);
    await daemon.start();
    try {
      const insecure = async () => Object.keys(((await (await daemon.api("/info")).json()) as { RegistryConfig: { IndexConfigs: object } }).RegistryConfig.IndexConfigs);
      expect(await insecure()).toContain("first.test:5000");
      writeFileSync(config, JSON.stringify({ "insecure-registries": ["second.test:5000"], "registry-mirrors": ["http://127.0.0.1:1"], "log-level": "debug" }));
      process.kill(daemon.pid!, "SIGHUP");
      await eventually(async () => (await insecure()).includes("second.test:5000"));
      expect(await insecure()).not.toContain("first.test:5000");
      const pid = daemon.pid;
      expect((await (await daemon.api("/_ping")).text())).toBe("OK");
      expect(daemon.pid).toBe(pid);
    } finally {
      await daemon.cleanup();
    }
  });

  test("a setting both in the file and on the command line, or a key bunker does not know, stops the start with one clear line", async () => {
    const config = join(dir, "twice.json");
    writeFileSync(config, JSON.stringify({ dns: ["10.9.8.7"] }));
    const twice = await run([BIN, "daemon", "--root", join(dir, "twice-root"), "--config-file", config, "--dns", "1.1.1.1"]);
    expect(twice.code).toBe(1);
    expect(twice.stderr.trim()).toBe(
      `bunker daemon: unable to configure the bunker daemon with file ${config}: the following directives are specified both as a flag and in the configuration file: dns: (from flag: ["1.1.1.1"], from file: ["10.9.8.7"])`,
    );
    writeFileSync(config, JSON.stringify({ colour: "red" }));
    const unknown = await run([BIN, "daemon", "--root", join(dir, "twice-root"), "--config-file", config]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("the following directives don't match any configuration option: colour");
  });
});
