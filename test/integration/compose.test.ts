/**
 * docker-compose 1.29 (Debian's, with docker-py) runs a two-service app on bunker unchanged: a
 * busybox httpd serving a file from a named volume, and a client fetching it by the service's
 * name in a loop, on the project's own network. up -d, ps, logs, exec and down -v; then up in
 * the foreground in a real terminal, its logs streamed, stopped with Ctrl-C.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { eventually, run, TestDaemon } from "./harness.ts";
import { TmuxSession } from "./tmux.ts";
import { firewallTable } from "../../src/network/firewall.ts";

const COMPOSE_FILE = `version: "3.8"
services:
  web:
    image: base
    command: ["sh", "-c", "mkdir -p /data/www && echo served-by-name > /data/www/file.txt && echo web-ready && exec httpd -f -p 80 -h /data/www"]
    volumes: ["data:/data"]
    networks: [back]
  client:
    image: base
    depends_on: [web]
    command: ["sh", "-c", "while true; do printf 'GET /file.txt HTTP/1.0\\\\r\\\\n\\\\r\\\\n' | nc -w 2 web 80 | tail -n 1; sleep 0.5; done"]
    networks: [back]
    # A shell as PID 1 ignores SIGTERM, as under Docker: stop kills it after the grace period.
    stop_grace_period: 1s
volumes:
  data: {}
networks:
  back: {}
`;

let daemon: TestDaemon;
let file: string;

beforeAll(async () => {
  daemon = await TestDaemon.withBase("compose");
  file = join(daemon.dir, "docker-compose.yml");
  writeFileSync(file, COMPOSE_FILE);
});
afterAll(async () => {
  await daemon.cleanup();
});

function compose(project: string, ...args: string[]) {
  return run(["docker-compose", "-p", project, "-f", file, ...args], { DOCKER_HOST: daemon.host });
}

async function composeOk(project: string, ...args: string[]): Promise<string> {
  const result = await compose(project, ...args);
  if (result.code !== 0) throw new Error(`docker-compose ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

/** What of a project is left: its containers, network, volume, bridge and firewall rules. */
async function leftovers(project: string, bridge: string) {
  const nft = await run(["nft", "list", "table", "ip", firewallTable("none", daemon.root)]);
  return {
    containers: (await daemon.bunkerOk("ps", "-a", "-q", "--filter", `label=com.docker.compose.project=${project}`)).trim(),
    networks: (await daemon.bunkerOk("network", "ls", "-q", "--filter", `name=${project}_`)).trim(),
    volumes: (await daemon.bunkerOk("volume", "ls", "-q", "--filter", `name=${project}_`)).trim(),
    bridge: (await run(["ip", "link", "show", bridge])).code === 0,
    rules: nft.stdout.includes(bridge),
  };
}

test("up -d, ps, logs, exec and down -v: the client fetches the file by the service's name; nothing of the project remains", async () => {
  await composeOk("app", "up", "-d");
  const ps = await composeOk("app", "ps");
  expect(ps).toMatch(/app_web_1 .* Up/);
  expect(ps).toMatch(/app_client_1 .* Up/);
  expect(ps.trim().split("\n")).toHaveLength(4); // header, rule, two containers
  await eventually(async () => (await composeOk("app", "logs", "--no-color", "client")).includes("client_1  | served-by-name"));
  expect(await composeOk("app", "exec", "-T", "web", "cat", "/data/www/file.txt")).toBe("served-by-name\n");
  const network = JSON.parse(await daemon.bunkerOk("network", "inspect", "app_back"))[0];
  expect(network.Labels["com.docker.compose.project"]).toBe("app");
  expect(Object.keys(network.Containers)).toHaveLength(2);
  const bridge = `br-${network.Id.slice(0, 12)}`;
  expect(await leftovers("app", bridge)).toMatchObject({ bridge: true, rules: true });
  const down = await compose("app", "down", "-v");
  expect(down.code).toBe(0);
  expect(down.stderr).toContain("Removing network app_back");
  expect(down.stderr).toContain("Removing volume app_data");
  expect(await leftovers("app", bridge)).toEqual({ containers: "", networks: "", volumes: "", bridge: false, rules: false });
});

test("up in the foreground streams both services' logs and Ctrl-C stops them", async () => {
  const tmux = new TmuxSession();
  await tmux.start(160, 40, { DOCKER_HOST: daemon.host });
  try {
    await tmux.type(`docker-compose -p fg -f ${file} up`);
    await tmux.waitFor(/Attaching to fg_web_1, fg_client_1|Attaching to fg_client_1, fg_web_1/, 30_000);
    await tmux.waitFor(/web_1 +\| web-ready/, 30_000);
    await tmux.waitFor(/client_1 +\| served-by-name/, 30_000);
    await tmux.keys("C-c");
    await tmux.waitFor(/Stopping fg_web_1 +\.\.\. done/, 30_000);
    await tmux.waitFor(/done\nhost\$\s*$/, 30_000);
    const states = await composeOk("fg", "ps");
    expect(states).toMatch(/fg_web_1 .* Exit/);
    expect(states).toMatch(/fg_client_1 .* Exit/);
  } finally {
    await tmux.stop();
    await compose("fg", "down", "-v");
  }
});
