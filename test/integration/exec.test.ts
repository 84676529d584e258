/**
 * `exec` into a running container, through bunker's CLI, the docker CLI (under tmux for -t)
 * and docker-py: the process joins the container completely (root, PID namespace, hostname,
 * cgroups, capabilities, seccomp), takes -e/-w/-u, returns its exit code, holds no host
 * descriptor, and dies with the container; a stopped or paused container refuses it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { eventually, ok, run, TestDaemon } from "./harness.ts";
import { TmuxSession } from "./tmux.ts";

let daemon: TestDaemon;
let id: string;

beforeAll(async () => {
  daemon = await TestDaemon.withBase("exec");
  id = (await daemon.bunkerOk("run", "-d", "--name", "box", "--hostname", "boxhost", "base", "sh", "-c", "echo seen > /tmp/marker; exec sleep 600")).trim();
  await eventually(async () => (await daemon.bunker("exec", "box", "test", "-e", "/tmp/marker")).code === 0);
}, 60_000);
afterAll(async () => {
  await daemon?.cleanup();
});

const execOut = async (...args: string[]) => (await ok(daemon.bunker("exec", ...args))).trim();

describe("the exec'd process is in the container", () => {
  test("its root, PID namespace (PID 1 is the container's command), hostname, cgroups, capabilities and seccomp mode", async () => {
    expect(await execOut("box", "cat", "/tmp/marker")).toBe("seen");
    expect(await execOut("box", "sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline")).toBe("sleep 600");
    expect(await execOut("box", "hostname")).toBe("boxhost");
    expect(await execOut("box", "cat", "/proc/self/cgroup")).toBe(await execOut("box", "cat", "/proc/1/cgroup"));
    const status = (pid: string, field: string) => execOut("box", "sh", "-c", `grep ^${field}: /proc/${pid}/status`);
    expect(await status("self", "CapEff")).toBe(await status("1", "CapEff"));
    expect(await status("self", "CapBnd")).toBe(await status("1", "CapBnd"));
    expect(await status("self", "Seccomp")).toMatch(/^Seccomp:\s+2$/);
  });

  test("from the host: the process is in the container's cgroups", async () => {
    const created = await daemon.api(`/containers/box/exec`, { method: "POST", body: JSON.stringify({ Cmd: ["sleep", "30"] }) });
    const { Id } = (await created.json()) as { Id: string };
    await daemon.api(`/exec/${Id}/start`, { method: "POST", body: JSON.stringify({ Detach: true }) });
    const { Pid } = (await (await daemon.api(`/exec/${Id}/json`)).json()) as { Pid: number };
    expect(Pid).toBeGreaterThan(0);
    for (const controller of ["memory", "pids", "cpu", "devices", "freezer"]) {
      expect(readFileSync(`/sys/fs/cgroup/${controller}/bunker/${id}/cgroup.procs`, "utf8").split("\n")).toContain(String(Pid));
    }
    process.kill(Pid, "SIGKILL");
    await eventually(async () => ((await (await daemon.api(`/exec/${Id}/json`)).json()) as { Running: boolean }).Running === false);
  });

  test("-e, -w and -u apply; the container's environment is kept", async () => {
    expect(await execOut("-e", "A=1", "-w", "/etc", "-u", "1000:1000", "box", "sh", "-c", "echo $A $(pwd) $(id -u):$(id -g) $HOSTNAME")).toBe("1 /etc 1000:1000 boxhost");
  });

  test("the exit code comes back; stdin reaches it with -i; no host descriptor reaches it", async () => {
    expect((await daemon.bunker("exec", "box", "sh", "-c", "exit 7")).code).toBe(7);
    expect((await run([daemon.binary, "-H", daemon.host, "exec", "-i", "box", "cat"], {}, "piped in\n")).stdout).toBe("piped in\n");
    expect((await execOut("box", "ls", "/proc/self/fd")).split(/\s+/)).toEqual(["0", "1", "2", "3"]);
  });

  test("exec -d runs on after the client returns; what it leaves is gone after stop", async () => {
    const other = (await daemon.bunkerOk("run", "-d", "base", "sleep", "600")).trim();
    await ok(daemon.bunker("exec", "-d", other, "sleep", "1000"));
    const pids = () => Bun.spawnSync(["pgrep", "-f", "^sleep 1000$"]).stdout.toString().split("\n").filter(Boolean).map(Number);
    await eventually(() => pids().length === 1);
    const [left] = pids();
    await ok(daemon.bunker("stop", "-t", "1", other));
    await eventually(() => !existsSync(`/proc/${left}`));
    await ok(daemon.bunker("rm", other));
  });

  test("--privileged: every capability the daemon holds", async () => {
    const effective = await execOut("--privileged", "box", "sh", "-c", "grep ^CapEff: /proc/self/status");
    const daemonCaps = /^CapBnd:\s*(\S+)$/m.exec(readFileSync(`/proc/${daemon.pid}/status`, "utf8"))![1];
    expect(effective).toBe(`CapEff:\t${daemonCaps}`);
  });
});

describe("clients", () => {
  test("docker exec -it under tmux gets a /dev/pts terminal of the client's size", async () => {
    const tmux = new TmuxSession();
    try {
      await tmux.start(100, 30, { DOCKER_HOST: daemon.host });
      await tmux.type(`docker exec -it box sh -c 'tty; stty size'; echo "exit=$?"`);
      const screen = await tmux.waitFor(/exit=0/);
      expect(screen).toMatch(/^\/dev\/pts\/\d+\s*$/m);
      expect(screen).toMatch(/^30 100\s*$/m);
    } finally {
      await tmux.stop();
    }
  });

  test("docker exec prints and exits as it does against Docker; docker-py exec_run returns the code and output", async () => {
    const docker = await daemon.docker("exec", "box", "sh", "-c", "echo out; echo err >&2; exit 3");
    expect([docker.code, docker.stdout, docker.stderr]).toEqual([3, "out\n", "err\n"]);
    const script = `import docker
r = docker.from_env().containers.get("box").exec_run(["sh", "-c", "echo from-py; exit 4"])
print(r.exit_code, r.output.decode().strip())`;
    const py = await run(["python3", "-c", script], { DOCKER_HOST: daemon.host });
    expect(py.stdout.trim()).toBe("4 from-py");
  });

  test("inspect lists the container's exec IDs; an exec's inspect has Docker's fields", async () => {
    const ids = JSON.parse(await daemon.bunkerOk("inspect", "-f", "{{json .ExecIDs}}", "box")) as string[];
    expect(ids.length).toBeGreaterThan(0);
    const exec = (await (await daemon.api(`/exec/${ids[0]}/json`)).json()) as Record<string, unknown>;
    expect(Object.keys(exec).sort()).toEqual(["CanRemove", "ContainerID", "DetachKeys", "ExitCode", "ID", "OpenStderr", "OpenStdin", "OpenStdout", "Pid", "ProcessConfig", "Running"]);
    expect(exec.ContainerID).toBe(id);
  });
});

describe("refused", () => {
  test("a stopped container: Docker's message", async () => {
    const stopped = (await daemon.bunkerOk("create", "base", "true")).trim();
    for (const r of [await daemon.bunker("exec", stopped, "true"), await daemon.docker("exec", stopped, "true")]) {
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`Error response from daemon: Container ${stopped} is not running`);
    }
    await ok(daemon.bunker("rm", stopped));
  });

  test("a paused container: 409 with Docker's message", async () => {
    await ok(daemon.bunker("pause", "box"));
    try {
      const r = await daemon.bunker("exec", "box", "true");
      expect(r.stderr.trim()).toBe(`Error response from daemon: Container ${id} is paused, unpause the container before exec`);
    } finally {
      await ok(daemon.bunker("unpause", "box"));
    }
  });

  test("no command, and an unknown exec", async () => {
    const created = await daemon.api(`/containers/box/exec`, { method: "POST", body: JSON.stringify({ Cmd: [] }) });
    expect(created.status).toBe(400);
    expect((await daemon.api(`/exec/nope/json`)).status).toBe(404);
  });
});
