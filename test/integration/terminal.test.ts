/** Interactive use, as a person at a terminal: -i -t, window size, exit codes, detach and attach, stdin. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BIN, run, TestDaemon } from "./harness.ts";
import { TmuxSession } from "./tmux.ts";

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await TestDaemon.withBase("terminal");
});
afterAll(async () => {
  await daemon.cleanup();
});

describe("under tmux", () => {
  for (const client of ["bunker", "docker"] as const) {
    test(`${client}: an interactive shell, its window size, detach, attach and its exit code`, async () => {
      const tmux = new TmuxSession();
      const cli = client === "bunker" ? `${BIN} -H ${daemon.host}` : `docker -H ${daemon.host}`;
      const name = `${client}-shell`;
      try {
        await tmux.start(120, 40, {});
        const sttyBefore = (await tmux.type("stty -g"), await tmux.waitFor(/^\d+:\d+:/m)).match(/^\S*:\S*$/m)?.[0];
        await tmux.type(`${cli} run -i -t --name ${name} base sh`);
        await tmux.waitFor(/^\/ #\s*$/m);
        await tmux.type("echo pid=$$ tty=$(tty); stty size; MARK=kept");
        await tmux.waitFor(/pid=1 tty=\/dev\/pts\/0\n40 120\n/);
        await tmux.resize(100, 30);
        await tmux.type("stty size");
        await tmux.waitFor(/^30 100$/m);

        await tmux.keys("C-p", "C-q");
        await tmux.waitFor(/host\$\s*$/);
        expect((await daemon.bunker("inspect", "-f", "{{.State.Running}}", name)).stdout.trim()).toBe("true");

        await tmux.type(`clear; ${cli} attach ${name}`);
        await Bun.sleep(300);
        await tmux.type("echo again $MARK");
        await tmux.waitFor(/^again kept$/m);
        await tmux.type("exit 3");
        await tmux.waitFor(/host\$\s*$/);
        await tmux.type("echo rc=$?; stty -g");
        const screen = await tmux.waitFor(/rc=3\n\S+:\S+\n/);
        // The host terminal is back as it was (cooked mode, echo on).
        expect(screen.match(/rc=3\n(\S+)\n/)?.[1]).toBe(sttyBefore);
      } finally {
        await tmux.stop();
        await daemon.bunker("rm", "-f", name);
      }
    });
  }
});

describe("stdin and streams", () => {
  test("echo hello | run -i cat", async () => {
    const r = await run([BIN, "-H", daemon.host, "run", "-i", "--rm", "base", "cat"], {}, "hello\n");
    expect(r).toMatchObject({ code: 0, stdout: "hello\n" });
  });

  test("stdin ends for the container when the client's input ends (stdin once)", async () => {
    const r = await run([BIN, "-H", daemon.host, "run", "-i", "--rm", "base", "sh", "-c", "wc -l; echo done"], {}, "a\nb\nc\n");
    expect(r.stdout).toBe("3\ndone\n");
  });

  test("docker run -i behaves the same", async () => {
    const r = await run(["docker", "run", "-i", "--rm", "base", "cat"], { DOCKER_HOST: daemon.host }, "hello docker\n");
    expect(r).toMatchObject({ code: 0, stdout: "hello docker\n" });
  });

  test("without a tty, signals the client gets are forwarded to the container (sig-proxy)", async () => {
    const client = Bun.spawn([BIN, "-H", daemon.host, "run", "--rm", "base", "sh", "-c", "trap 'echo got INT; exit 42' INT; echo ready; while true; do sleep 0.1; done"], {
      stdout: "pipe",
      stderr: "pipe",
    });
    const reader = client.stdout.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe("ready\n");
    client.kill("SIGINT");
    expect(await client.exited).toBe(42);
    const rest = new TextDecoder().decode((await reader.read()).value);
    expect(rest).toBe("got INT\n");
  });

  test("-a stderr shows only stderr", async () => {
    const r = await daemon.bunker("run", "-a", "stderr", "base", "sh", "-c", "echo out; echo err >&2");
    expect(r).toMatchObject({ code: 0, stdout: "", stderr: "err\n" });
  });

  test("a tty container's output is raw, and logs keep it", async () => {
    const id = (await daemon.bunker("run", "-d", "-t", "base", "sh", "-c", "echo out; echo err >&2; tty")).stdout.trim();
    await daemon.bunker("wait", id);
    expect((await daemon.bunker("logs", id)).stdout).toBe("out\r\nerr\r\n/dev/pts/0\r\n");
  });

  test("resize of a container that is not running is a 409", async () => {
    const id = (await daemon.bunker("create", "base", "true")).stdout.trim();
    const res = await daemon.api(`/containers/${id}/resize?h=10&w=10`, { method: "POST" });
    expect(res.status).toBe(409);
  });
});
