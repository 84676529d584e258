/**
 * `docker exec`: processes started in a running container after its init, joining it
 * completely (./1-join-namespaces.ts, ./2-enter-container.ts) with the container's own
 * capabilities, seccomp profile, limits and environment. Exec records live in memory, as in
 * Docker, until their container goes. The daemon adopts and reaps each process, so no bunker
 * process stays per exec; an exec'd process dies with its container's PID namespace.
 */
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { ConflictError, InvalidArgumentError, NotFoundError } from "../errors.ts";
import { newId } from "../util/ids.ts";
import { launch, LaunchError } from "../start/launch.ts";
import { mergeEnv } from "../container/create-config.ts";
import type { ContainerRecord } from "../container/record.ts";
import type { ContainerService } from "../container/service.ts";
import { cgroupPathOf } from "../container/resource-controls.ts";
import type { Reaper } from "../container/reaper.ts";
import { rlimitsOf } from "../container/ulimits.ts";
import { launchPrivileges } from "../security/privileges.ts";
import { ExecStdio, type ExecOutputListener } from "./exec-stdio.ts";
import { NAMESPACES, STAGE_EXEC_JOIN, type ExecSpec } from "./exec-spec.ts";

/** The body of `POST /containers/{id}/exec`, as the API has checked it. */
export interface ExecConfig {
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  Tty: boolean;
  Env: string[];
  Cmd: string[];
  Privileged: boolean;
  User: string;
  WorkingDir: string;
  DetachKeys: string;
  /** [rows, cols] of the client's terminal, for `-t`. */
  ConsoleSize?: [number, number];
}

/** An exec as `GET /exec/{id}/json` shows it (Docker's field names). */
export interface ExecRecord {
  ID: string;
  ContainerID: string;
  Running: boolean;
  ExitCode: number | null;
  Pid: number;
  OpenStdin: boolean;
  OpenStdout: boolean;
  OpenStderr: boolean;
  CanRemove: boolean;
  DetachKeys: string;
  ProcessConfig: { tty: boolean; entrypoint: string; arguments: string[]; privileged: boolean; user: string };
}

interface Exec {
  record: ExecRecord;
  config: ExecConfig;
  started: boolean;
  /** A resize that came while the process was being started: applied once its terminal is here. */
  size?: { rows: number; cols: number };
  /** Told of that resize: the start holds a terminal process until its size is known. */
  sized?: () => void;
  stdio?: ExecStdio;
  /** Settles with the exit code once it is recorded and the output has ended. */
  exited?: Promise<number>;
}

/** A started exec, for the client that started it. */
export interface ExecSession {
  write(chunk: Uint8Array): void;
  closeStdin(): void;
  /** The client left: its input ends; the process runs on, as under Docker. */
  leave(): void;
  exited: Promise<number>;
}

/** How long a terminal exec without a size waits for the client's first resize. */
const SIZE_WAIT_MS = 300;

export class ExecService {
  readonly #execs = new Map<string, Exec>();

  constructor(
    private readonly containers: ContainerService,
    private readonly reaper: Reaper,
  ) {}

  create(containerRef: string, config: ExecConfig): ExecRecord {
    const container = this.#runningContainer(containerRef);
    if (config.Cmd.length === 0 || config.Cmd[0] === "") throw new InvalidArgumentError("No exec command specified");
    const id = newId();
    const [entrypoint, ...args] = config.Cmd;
    const record: ExecRecord = {
      ID: id,
      ContainerID: container.Id,
      Running: false,
      ExitCode: null,
      Pid: 0,
      OpenStdin: config.AttachStdin,
      OpenStdout: config.AttachStdout,
      OpenStderr: config.AttachStderr,
      CanRemove: false,
      DetachKeys: config.DetachKeys,
      ProcessConfig: { tty: config.Tty, entrypoint, arguments: args, privileged: config.Privileged, user: config.User },
    };
    this.#execs.set(id, { record, config, started: false });
    this.containers.announce(container, `exec_create: ${config.Cmd.join(" ")}`, { execID: id });
    return record;
  }

  get(id: string): ExecRecord {
    return this.#exec(id).record;
  }

  /** The execs of a container, for its inspect's ExecIDs (null when none, as Docker shows it). */
  idsOf(containerId: string): string[] | null {
    const ids = [...this.#execs.values()].filter((exec) => exec.record.ContainerID === containerId).map((exec) => exec.record.ID);
    return ids.length > 0 ? ids : null;
  }

  /** Its container is gone: so are its execs. */
  forgetContainer(containerId: string): void {
    for (const [id, exec] of this.#execs) if (exec.record.ContainerID === containerId) this.#execs.delete(id);
  }

  /** Throws what `start` would refuse with (unknown, already started, container not running), before a client is told 101. */
  checkStartable(id: string): void {
    const exec = this.#exec(id);
    if (exec.started) throw new ConflictError(`Error: Exec command ${id} is already running`);
    this.#runningContainer(exec.record.ContainerID);
  }

  /**
   * Starts the exec; `listener` gets its output (none with `detach`). Resolves once the process
   * runs; the session's `exited` settles with its exit code after its output has ended.
   */
  async start(id: string, detach: boolean, listener: ExecOutputListener, consoleSize?: [number, number]): Promise<ExecSession> {
    const exec = this.#exec(id);
    if (exec.started) throw new ConflictError(`Error: Exec command ${id} is already running`);
    const container = this.#runningContainer(exec.record.ContainerID);
    exec.started = true;
    const { config } = exec;
    const attach = !detach;
    const { stdio, processEnds } = config.Tty
      ? { stdio: ExecStdio.forTerminal(attach ? listener : () => {}), processEnds: { stdin: "ignore" as const, stdout: "ignore" as const, stderr: "ignore" as const } }
      : ExecStdio.forPipes(attach ? listener : () => {}, attach && config.AttachStdin, { stdout: attach && config.AttachStdout, stderr: attach && config.AttachStderr });
    const namespaces = NAMESPACES.map((name) => openSync(`/proc/${container.State.Pid}/ns/${name}`, "r"));
    // The docker CLI sends its window's size with the start; older clients with the create.
    const [rows, cols] = consoleSize ?? config.ConsoleSize ?? [0, 0];
    let launched;
    try {
      launched = await launch(this.#spec(container, config), processEnds, {
        stage: STAGE_EXEC_JOIN,
        fds: namespaces,
        terminalSize: rows > 0 && cols > 0 ? { rows, cols } : undefined,
        awaitTerminalSize: () => this.#sizeOf(exec),
      });
    } catch (err) {
      exec.started = false;
      if (err instanceof LaunchError && err.pid) this.reaper.reapNow(err.pid);
      throw err instanceof LaunchError ? new InvalidArgumentError(`OCI runtime exec failed: ${err.message}`) : err;
    } finally {
      ExecStdio.closeProcessEnds(processEnds);
      for (const fd of namespaces) closeSync(fd);
    }
    if (launched.terminal !== undefined) stdio.connectTerminal(launched.terminal);
    if (exec.size) stdio.resize(exec.size.rows, exec.size.cols);
    exec.stdio = stdio;
    exec.record = { ...exec.record, Running: true, Pid: launched.pid };
    this.containers.announce(container, `exec_start: ${config.Cmd.join(" ")}`, { execID: id });
    exec.exited = new Promise((resolve) => {
      this.reaper.watchChild(launched.pid, async (code) => {
        // What the process printed last belongs to its client before the end is told.
        await Promise.race([stdio.closed, Bun.sleep(2000)]);
        exec.record = { ...exec.record, Running: false, ExitCode: code ?? 255, Pid: 0 };
        exec.stdio = undefined;
        this.containers.announce(container, "exec_die", { execID: id, exitCode: String(exec.record.ExitCode) });
        resolve(exec.record.ExitCode!);
      });
    });
    return { write: (chunk) => stdio.write(chunk), closeStdin: () => stdio.closeStdin(), leave: () => stdio.close(), exited: exec.exited };
  }

  /** Follows the client's window (`-t`); kept for the terminal while the start is under way; 409 once the process is gone. */
  resize(id: string, rows: number, cols: number): void {
    const exec = this.#exec(id);
    if (exec.stdio) return exec.stdio.resize(rows, cols);
    if (exec.started && exec.record.ExitCode === null) {
      exec.size = { rows, cols };
      exec.sized?.();
      return;
    }
    throw new ConflictError(`Exec ${id} is not running`);
  }

  /**
   * The window size of a terminal exec that was started without one: API 1.41 clients (the
   * docker CLI among them) send it as a resize right after the start's 101, and a command
   * such as `stty size` must see it, so the process waits for it, briefly.
   */
  #sizeOf(exec: Exec): Promise<{ rows: number; cols: number } | undefined> {
    if (exec.size) return Promise.resolve(exec.size);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), SIZE_WAIT_MS);
      exec.sized = () => {
        clearTimeout(timer);
        resolve(exec.size);
      };
    });
  }

  #spec(container: ContainerRecord, config: ExecConfig): ExecSpec {
    const host = container.HostConfig;
    const privileges = launchPrivileges(config.Privileged ? { ...host, Privileged: true } : host);
    return {
      process: {
        args: config.Cmd,
        env: mergeEnv(container.Config.Env, config.Env),
        cwd: config.WorkingDir || container.Config.WorkingDir || "/",
        user: config.User || container.Config.User || "",
      },
      terminal: config.Tty,
      capabilities: privileges.capabilities,
      seccomp: privileges.seccomp,
      noNewPrivileges: privileges.noNewPrivileges,
      rlimits: rlimitsOf(host.Ulimits),
      additionalGroups: host.GroupAdd ?? [],
      cgroupProcs: this.containers.cgroups.dirs(cgroupPathOf(container)).map((dir) => join(dir, "cgroup.procs")),
    };
  }

  #exec(id: string): Exec {
    const exec = this.#execs.get(id);
    if (!exec) throw new NotFoundError(`No such exec instance: ${id}`);
    return exec;
  }

  /** Docker's refusals: a stopped container, a paused one. */
  #runningContainer(ref: string): ContainerRecord {
    const container = this.containers.get(ref);
    if (!this.containers.isRunning(container)) throw new ConflictError(`Container ${container.Id} is not running`);
    if (container.State.Paused) throw new ConflictError(`Container ${container.Id} is paused, unpause the container before exec`);
    return container;
  }
}
