/**
 * The container lifecycle: create, start, stop, kill, restart, wait, remove. It owns every
 * run-time resource of a container (its init process, cgroups, stdio pipes, and its address
 * and veth pair on the bridge) and releases
 * them on each path out: a normal exit, stop, kill, rm -f, a failed start, and a daemon
 * restart that finds the container dead.
 */
import { join } from "node:path";
import { consola } from "consola";
import { ConflictError, InvalidArgumentError, NotModifiedError } from "../errors.ts";
import type { ImageStore } from "../image/image-store.ts";
import { generateName, newId } from "../util/ids.ts";
import { parseSignal } from "../util/signals.ts";
import { nowRfc3339Nano } from "../util/timestamp.ts";
import { launch, LaunchError, type Launched, type Stdio } from "../start/launch.ts";
import type { ContainerCgroups } from "../cgroup/container-cgroups.ts";
import { cgroupPathOf, ResourceControls } from "./resource-controls.ts";
import { parseDeviceCgroupRule } from "../cgroup/device-rules.ts";
import { hostDevices, mappedDevices } from "./devices.ts";
import { thaw } from "./freezer.ts";
import { buildRecord, validateName, type CreateRequest } from "./create-config.ts";
import { readJsonLog, type FollowOptions, type LogEntry, type ReadOptions } from "./json-log.ts";
import { logRotation, type LogFile } from "./log-options.ts";
import { processStartTime, Reaper } from "./reaper.ts";
import type { ContainerRecord } from "./record.ts";
import { restoreContainers } from "./restore.ts";
import { Restarts } from "./restarts.ts";
import { ContainerStdio, type OutputListener } from "./stdio.ts";
import { Attachment } from "./attachment.ts";
import type { ContainerStore } from "./store.ts";
import { ContainerVolumes } from "./container-volumes.ts";
import { consoleSize, launchSpecFor } from "./launch-spec.ts";
import { KeyedSets, notify } from "./keyed-sets.ts";
import { transition } from "./state-machine.ts";
import { ContainerNetworking, type EndpointSettings, type NetworkView } from "./container-network.ts";
import type { VolumeStore } from "../volume/store.ts";
import type { Networks } from "../network/networks.ts";
import type { EventBus } from "../events/event-bus.ts";

export type WaitCondition = "not-running" | "next-exit" | "removed";

/** A container with a terminal gets the pty in stage 3; stage 2 needs no stdio of its own. */
const NO_STDIO: Stdio = { stdin: "ignore", stdout: "ignore", stderr: "ignore" };

/** Docker's default grace period between SIGTERM and SIGKILL. */
const DEFAULT_STOP_SECONDS = 10;

/** The exit code recorded when an init died while no daemon was there to reap it. */
const EXIT_STATUS_LOST = 255;

/** `--network container:NAME` is kept by the other container's ID, as Docker does: a rename or a reused name cannot redirect it. */
function withNetworkContainerId(request: CreateRequest, idOf: (ref: string) => string): CreateRequest {
  const mode = request.HostConfig?.NetworkMode;
  if (!mode?.startsWith("container:") || mode === "container:") return request;
  return { ...request, HostConfig: { ...request.HostConfig, NetworkMode: `container:${idOf(mode.slice("container:".length))}` } };
}

export class StartError extends InvalidArgumentError {
  override name = "StartError";
}

interface Running {
  stdio: ContainerStdio;
  /** Settles when the exit has been recorded. */
  exited: Promise<void>;
}

export class ContainerService {
  readonly #running = new Map<string, Running>();
  readonly #exitListeners = new KeyedSets<(code: number) => void>();
  /** `wait` for not-running: unlike an exit, a stop that no restart follows. */
  readonly #stopListeners = new KeyedSets<(code: number) => void>();
  readonly #restarts = new Restarts();
  readonly #networking: ContainerNetworking;
  readonly #removeListeners = new KeyedSets<() => void>();
  readonly #pendingAttach = new KeyedSets<Attachment>();
  /** Stopped containers whose root `cp` has mounted: a start now would mount the same upper dir twice. */
  readonly rootfsInUse = new Set<string>();
  /** Starts under way, by container ID. */
  readonly #starting = new Map<string, Promise<void>>();
  /** Told of every container removed, whichever way it goes (its execs go with it). */
  readonly #removalWatchers = new Set<(id: string) => void>();

  constructor(
    private readonly store: ContainerStore,
    private readonly images: ImageStore,
    private readonly reaper: Reaper,
    private readonly volumes: VolumeStore,
    networks: Networks,
    readonly cgroups: ContainerCgroups,
    private readonly events: EventBus,
    private readonly defaults: { defaultDns: string[] } = { defaultDns: [] },
  ) {
    this.#networking = new ContainerNetworking(networks);
    networks.members = (networkId) => this.#networking.membersOf(networkId, this.store.list());
    this.#volumes = new ContainerVolumes(volumes, events, () => this.store.list());
    this.resources = new ResourceControls(store, cgroups, (record) => this.isRunning(record), (record, action) => this.announce(record, action));
  }

  readonly #volumes: ContainerVolumes;
  /** Limits, pause, stats and the processes of containers, through their cgroups. */
  readonly resources: ResourceControls;

  get(ref: string): ContainerRecord {
    return this.store.get(ref);
  }

  list(): ContainerRecord[] {
    return this.store.list();
  }

  logPath(record: ContainerRecord): string {
    return join(this.store.dirOf(record.Id), `${record.Id}-json.log`);
  }

  /** The log and its rotation (options validated at create). */
  #logFile(record: ContainerRecord): LogFile {
    return { path: this.logPath(record), ...logRotation(record.HostConfig.LogConfig.Config) };
  }

  create(request: CreateRequest, name?: string): ContainerRecord {
    if (!request.Image) throw new InvalidArgumentError("Config.Image is required");
    const image = this.images.resolve(request.Image);
    const id = newId();
    let chosen: string;
    if (name) {
      chosen = validateName(name);
      const holder = this.store.nameTaken(chosen);
      if (holder) {
        throw new ConflictError(`Conflict. The container name "/${chosen}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`);
      }
    } else {
      chosen = generateName((n) => this.store.nameTaken(n) !== undefined);
    }
    const record = buildRecord(id, chosen, withNetworkContainerId(request, (ref) => this.store.get(ref).Id), image);
    record.CgroupPath = this.cgroups.pathFor(id, record.HostConfig.CgroupParent);
    record.Networks = this.#networking.attachmentsAtCreate(record.HostConfig.NetworkMode, request.NetworkingConfig?.EndpointsConfig ?? {});
    record.Mounts = this.#volumes.plan(record, (ref) => this.store.get(ref));
    try {
      this.store.add(record);
    } catch (err) {
      this.#volumes.release(record);
      throw err;
    }
    this.announce(record, "create");
    return record;
  }

  /** `by` "policy" is a restart after an exit, which keeps the policy's retry count and backoff. */
  async start(ref: string, by: "user" | "policy" = "user"): Promise<void> {
    const id = this.store.get(ref).Id;
    // One start at a time per container: a second one (two restarts, a start racing a restart)
    // waits for the first, then finds it running (304) or tries again. Two at once each launched
    // an init, and the first was orphaned.
    const pending = this.#starting.get(id);
    if (pending) {
      await pending.catch(() => {});
      return this.start(ref, by);
    }
    const starting = this.#startNow(ref, by);
    this.#starting.set(id, starting);
    try {
      await starting;
    } finally {
      if (this.#starting.get(id) === starting) this.#starting.delete(id);
    }
  }

  async #startNow(ref: string, by: "user" | "policy"): Promise<void> {
    const record = this.store.get(ref);
    if (by === "user") {
      // The user's start replaces a restart still waiting out its backoff.
      if ((await this.#restarts.cancel(record.Id)) === "canceled") transition(record, "exited");
      this.#restarts.reset(record.Id);
      record.HasBeenManuallyStopped = false;
    }
    if (record.State.Status === "running") throw new NotModifiedError(`container ${record.Id} is already running`);
    if (this.rootfsInUse.has(record.Id)) throw new ConflictError(`container ${record.Id} cannot start while files are being copied to or from it`);
    const image = this.images.get(record.Image);
    const dir = this.store.dirOf(record.Id);
    const devices = record.HostConfig.Privileged ? { nodes: hostDevices(), rules: [] } : mappedDevices(record.HostConfig.Devices);
    const deviceRules = record.HostConfig.Privileged ? "all" : [...devices.rules, ...(record.HostConfig.DeviceCgroupRules ?? []).map(parseDeviceCgroupRule)];
    let cgroupProcs: string[];
    try {
      cgroupProcs = this.cgroups.create(cgroupPathOf(record), record.HostConfig, deviceRules);
    } catch (err) {
      this.cgroups.remove(cgroupPathOf(record));
      throw new StartError(`cannot set up the container's cgroups: ${(err as Error).message}`);
    }
    const terminal = record.Config.Tty;
    const { stdio, containerEnds } = terminal
      ? { stdio: ContainerStdio.forTerminal(this.#logFile(record)), containerEnds: NO_STDIO }
      : ContainerStdio.forPipes(dir, this.#logFile(record), record.Config.OpenStdin);
    this.#connectPendingAttach(record.Id, stdio);
    let launched: Launched;
    try {
      this.#volumes.mountDriverVolumes(record);
      const { plan, connect } = await this.#networking.prepare(record, (ref) => this.#initPid(ref));
      const spec = launchSpecFor(record, image, plan, {
        containerDir: dir,
        layers: this.images.layers,
        cgroupProcs,
        cgroupMounts: this.cgroups.mounts(),
        defaultDns: this.defaults.defaultDns,
        devices: devices.nodes,
        volumes: this.volumes,
      });
      launched = await launch(spec, containerEnds, { terminalSize: consoleSize(record), connect });
    } catch (err) {
      ContainerStdio.closeContainerEnds(containerEnds);
      stdio.abandon();
      await this.#failStart(record, err, stdio);
      throw err instanceof LaunchError ? new StartError(err.message) : err;
    }
    ContainerStdio.closeContainerEnds(containerEnds);
    if (launched.terminal !== undefined) stdio.connectTerminal(launched.terminal);
    const { pid } = launched;
    // Stage 3 seeded every volume still empty: from now on what is in them is the user's.
    this.#volumes.started(record);
    transition(record, "running", { Pid: pid, ExitCode: 0, Error: "", StartedAt: nowRfc3339Nano(), PidStartTime: processStartTime(pid) ?? 0, OOMKilled: false, Paused: false });
    this.store.save(record);
    this.announce(record, "start");
    this.#track(record, stdio, (onExit) => this.reaper.watchChild(pid, onExit));
  }

  isRunning(record: ContainerRecord): boolean {
    return this.#running.has(record.Id);
  }

  /** An event about `record`, with Docker's attributes: its name, image and labels. */
  announce(record: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.events.emit("container", action, record.Id, { ...record.Config.Labels, image: record.Config.Image, name: record.Name, ...extra });
  }

  /** The container's networks by name, with its endpoint on each while it runs. */
  networksOf(record: ContainerRecord): NetworkView[] {
    return this.#networking.viewsOf(record);
  }

  /** `network connect`, on a created, stopped or running container. */
  connectNetwork(ref: string, networkRef: string, settings: EndpointSettings): void {
    const record = this.store.get(ref);
    const network = this.#networking.connect(record, networkRef, settings, this.#running.has(record.Id) ? record.State.Pid : undefined);
    this.store.save(record);
    this.events.emit("network", "connect", network.id, { container: record.Id, name: network.name, type: network.driver });
  }

  /** `network disconnect`; a running container loses the interface at once. */
  disconnectNetwork(ref: string, networkRef: string): void {
    const record = this.store.get(ref);
    const network = this.#networking.disconnect(record, networkRef);
    this.store.save(record);
    this.events.emit("network", "disconnect", network.id, { container: record.Id, name: network.name, type: network.driver });
  }

  /** Calls `watcher` with the ID of every container removed from now on. */
  onRemoval(watcher: (id: string) => void): void {
    this.#removalWatchers.add(watcher);
  }

  /** Follows the attached client's window (`-t`); a container that is not running answers 409. */
  resize(ref: string, rows: number, cols: number): void {
    const record = this.store.get(ref);
    const running = this.#running.get(record.Id);
    if (!running) throw new ConflictError(`Container ${record.Id} is not running`);
    running.stdio.resize(rows, cols);
    this.announce(record, "resize", { height: String(rows), width: String(cols) });
  }

  /** Without `seconds`, the container's StopTimeout, else Docker's 10; a negative wait never kills. */
  async stop(ref: string, seconds?: number): Promise<void> {
    const record = this.store.get(ref);
    const grace = seconds ?? record.Config.StopTimeout ?? DEFAULT_STOP_SECONDS;
    if (await this.#cancelRestart(record)) return;
    const running = this.#running.get(record.Id);
    if (!running) throw new NotModifiedError(`container ${record.Id} is not running`);
    this.#stoppedByUser(record);
    this.#signal(record, this.#stopSignal(record));
    if (grace < 0) return running.exited;
    const stopped = await Promise.race([running.exited.then(() => true), Bun.sleep(grace * 1000).then(() => false)]);
    if (!stopped) {
      this.#signal(record, parseSignal("KILL"));
      await running.exited;
    }
    this.announce(record, "stop");
  }

  /**
   * KILL and the container's stop signal are fatal: like `stop`, they call off the restart
   * policy until the next start (Docker's documented behaviour); other signals leave it be.
   */
  async kill(ref: string, signal = "KILL"): Promise<void> {
    const record = this.store.get(ref);
    const number = parseSignal(signal);
    const fatal = number === parseSignal("KILL") || number === this.#stopSignal(record);
    if (fatal && (await this.#cancelRestart(record))) return;
    if (!this.#running.has(record.Id)) {
      throw new ConflictError(`Cannot kill container: ${ref}: Container ${record.Id} is not running`);
    }
    if (fatal) this.#stoppedByUser(record);
    this.#signal(record, number);
    this.announce(record, "kill", { signal: String(number) });
  }

  /** Stop then start; either finding the container already there (a concurrent restart) is fine. */
  async restart(ref: string, seconds?: number): Promise<void> {
    const record = this.store.get(ref);
    for (const step of [() => this.stop(ref, seconds), () => this.start(ref)]) {
      try {
        await step();
      } catch (err) {
        if (!(err instanceof NotModifiedError)) throw err;
      }
    }
    this.announce(record, "restart");
  }

  /** `rename`: Docker's checks (a valid name not held by another container), then an event with the old name. */
  rename(ref: string, name: string): void {
    const record = this.store.get(ref);
    const chosen = validateName(name);
    if (chosen === record.Name) throw new InvalidArgumentError(`Renaming a container with the same name as its current name`);
    const holder = this.store.nameTaken(chosen);
    if (holder) throw new ConflictError(`Error when allocating new name: Conflict. The container name "/${chosen}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`);
    const oldName = record.Name;
    this.store.rename(record, chosen);
    this.announce(record, "rename", { oldName: `/${oldName}` });
  }

  /** `container prune`: every container not running (nor waiting to restart) that `eligible` keeps; returns their IDs. */
  async prune(eligible: (record: ContainerRecord) => boolean): Promise<string[]> {
    const removed: string[] = [];
    for (const record of this.store.list()) {
      if (this.#running.has(record.Id) || this.#restarts.isPending(record.Id) || !eligible(record)) continue;
      await this.remove(record.Id);
      removed.push(record.Id);
    }
    return removed;
  }

  /** Resolves with the exit code once `condition` holds. */
  wait(ref: string, condition: WaitCondition = "not-running"): Promise<number> {
    const record = this.store.get(ref);
    if (condition === "removed") {
      return new Promise((resolve) => this.#removeListeners.add(record.Id, () => resolve(record.State.ExitCode)));
    }
    if (condition === "next-exit") return new Promise((resolve) => this.#exitListeners.add(record.Id, resolve));
    if (!this.#running.has(record.Id) && !this.#restarts.isPending(record.Id)) return Promise.resolve(record.State.ExitCode);
    return new Promise((resolve) => this.#stopListeners.add(record.Id, resolve));
  }

  /** `removeVolumes` (`rm -v`) also removes the container's volumes that no other container uses. */
  async remove(ref: string, force = false, removeVolumes = false): Promise<void> {
    const record = this.store.get(ref);
    if (this.#restarts.isPending(record.Id)) {
      if (!force) {
        throw new ConflictError(`You cannot remove a restarting container ${record.Id}. Stop the container before attempting removal or force remove`);
      }
      await this.#cancelRestart(record);
    }
    const running = this.#running.get(record.Id);
    if (running) {
      if (!force) {
        throw new ConflictError(`You cannot remove a running container ${record.Id}. Stop the container before attempting removal or force remove`);
      }
      this.#restarts.exitOnNext(record.Id);
      this.#signal(record, parseSignal("KILL"));
      await running.exited;
      if (!this.store.has(record.Id)) return; // auto-removed on exit
    }
    this.#forget(record, removeVolumes);
  }

  /**
   * The last of a container, on every way it goes (rm, --rm after an exit or a failed start, a
   * daemon start that finds an auto-removed one dead): its record, volumes if asked (`run --rm`
   * takes them, as in Docker), cgroups, and every client still waiting on it is answered.
   */
  #forget(record: ContainerRecord, removeVolumes: boolean): void {
    this.store.remove(record);
    if (removeVolumes || record.HostConfig.AutoRemove) this.#volumes.release(record);
    this.cgroups.remove(cgroupPathOf(record));
    this.#restarts.forget(record.Id);
    notify(this.#exitListeners, record.Id, record.State.ExitCode);
    notify(this.#stopListeners, record.Id, record.State.ExitCode);
    notify(this.#removeListeners, record.Id);
    for (const attachment of this.#pendingAttach.take(record.Id)) attachment.end();
    for (const watcher of this.#removalWatchers) watcher(record.Id);
    this.announce(record, "destroy");
  }

  /**
   * Streams the container's output to `listener` until it ends, and takes the client's input.
   * `docker run` attaches before it starts the container, so an attach to a container not
   * running yet joins its next start.
   */
  attach(ref: string, listener: OutputListener): Attachment {
    const record = this.store.get(ref);
    const attachment = new Attachment(listener, record.Config.StdinOnce, (a) => {
      this.#pendingAttach.delete(record.Id, a);
      this.announce(record, "detach");
    });
    const running = this.#running.get(record.Id);
    if (running) attachment.connect(running.stdio);
    else this.#pendingAttach.add(record.Id, attachment);
    this.announce(record, "attach");
    return attachment;
  }

  #connectPendingAttach(id: string, stdio: ContainerStdio): void {
    for (const attachment of this.#pendingAttach.take(id)) attachment.connect(stdio);
  }

  /** Logs as recorded so far, across rotated files; with `follow`, and as they are written. */
  readLogs(record: ContainerRecord, options: ReadOptions, follow?: FollowOptions): AsyncGenerator<LogEntry> {
    return readJsonLog(this.logPath(record), options, follow);
  }

  /** The running container's stdio and the moment its exit is recorded; undefined when not running. */
  stdioOf(record: ContainerRecord): { stdio: ContainerStdio; exited: Promise<void> } | undefined {
    return this.#running.get(record.Id);
  }

  /** After a daemon start: the previous daemon's containers watched again, or settled (./restore.ts). */
  restore(): void {
    restoreContainers(this.store.list(), {
      adoptNetworks: (survivors) => this.#networking.adoptSurvivors(survivors, (record) => this.store.save(record)),
      adoptVolumes: (survivors) => this.#volumes.adoptDriverVolumes(survivors),
      sweepCgroups: (keep) => this.cgroups.sweep(keep),
      watchAgain: (record) => {
        const stdio = ContainerStdio.reattach(this.store.dirOf(record.Id), this.#logFile(record), record.Config.OpenStdin);
        this.#track(record, stdio, (onExit) => this.reaper.watchSurvivor(record.State.Pid, record.State.PidStartTime, onExit));
        consola.info(`container ${record.Id.slice(0, 12)} survived the previous daemon; watching it again`);
      },
      settleDead: (record) => {
        this.#networking.releaseAddress(record);
        if (record.State.Status === "running") this.#recordExit(record, null);
        if (record.State.Status === "restarting") {
          transition(record, "exited");
          this.store.save(record);
        }
        this.cgroups.remove(cgroupPathOf(record));
      },
      remove: (record) => this.#forget(record, true),
      startByPolicy: (record) => {
        this.start(record.Id).catch((err) => consola.warn(`restart of ${record.Id.slice(0, 12)} by its policy: ${err.message}`));
      },
    });
  }

  #track(record: ContainerRecord, stdio: ContainerStdio, watch: (onExit: (code: number | null) => void) => void): void {
    let recorded!: () => void;
    const exited = new Promise<void>((resolve) => (recorded = resolve));
    this.#running.set(record.Id, { stdio, exited });
    watch(async (code) => {
      // Output still in the pipes belongs in the log before anyone learns of the exit.
      await Promise.race([stdio.closed, Bun.sleep(2000)]);
      this.#running.delete(record.Id);
      await this.#networking.release(record);
      this.#recordExit(record, code, this.cgroups.oomKilled(cgroupPathOf(record)));
      this.cgroups.remove(cgroupPathOf(record));
      this.#volumes.exited(record);
      if (record.State.OOMKilled) this.announce(record, "oom");
      this.announce(record, "die", { exitCode: String(record.State.ExitCode) });
      const restarting = this.store.has(record.Id) && this.#restarts.afterExit(record, () => this.#restartByPolicy(record));
      if (restarting) {
        record.RestartCount++;
        transition(record, "restarting");
        this.store.save(record);
      }
      recorded();
      notify(this.#exitListeners, record.Id, record.State.ExitCode);
      if (restarting) return;
      notify(this.#stopListeners, record.Id, record.State.ExitCode);
      if (record.HostConfig.AutoRemove && this.store.has(record.Id)) {
        await this.remove(record.Id).catch((err) => consola.warn(`auto-remove of ${record.Id.slice(0, 12)}: ${err.message}`));
      }
    });
  }

  async #restartByPolicy(record: ContainerRecord): Promise<void> {
    try {
      await this.start(record.Id, "policy");
    } catch (err) {
      consola.warn(`restart of ${record.Id.slice(0, 12)} by its policy: ${(err as Error).message}`);
      if (!this.store.has(record.Id)) return;
      transition(record, "exited");
      this.store.save(record);
      notify(this.#stopListeners, record.Id, record.State.ExitCode);
    }
  }

  /** Ends a wait for a restart by the policy: true if one was waiting, and the container is now stopped. */
  async #cancelRestart(record: ContainerRecord): Promise<boolean> {
    if ((await this.#restarts.cancel(record.Id)) !== "canceled") return false;
    transition(record, "exited");
    record.HasBeenManuallyStopped = true;
    this.store.save(record);
    notify(this.#stopListeners, record.Id, record.State.ExitCode);
    return true;
  }

  /** stop, or a fatal kill: no restart follows this exit, and `unless-stopped` stays down across daemon restarts. */
  #stoppedByUser(record: ContainerRecord): void {
    this.#restarts.exitOnNext(record.Id);
    record.HasBeenManuallyStopped = true;
    this.store.save(record);
  }

  #stopSignal(record: ContainerRecord): number {
    return parseSignal(record.Config.StopSignal || "TERM");
  }

  #recordExit(record: ContainerRecord, code: number | null, oomKilled = false): void {
    transition(record, "exited", {
      OOMKilled: oomKilled,
      Paused: false,
      Pid: 0,
      ExitCode: code ?? EXIT_STATUS_LOST,
      Error: code === null ? "the container exited while no daemon was watching it: exit status unknown" : "",
      FinishedAt: nowRfc3339Nano(),
      PidStartTime: 0,
    });
    this.store.save(record);
  }

  async #failStart(record: ContainerRecord, err: unknown, stdio: ContainerStdio): Promise<void> {
    if (err instanceof LaunchError && err.pid) this.reaper.reapNow(err.pid);
    await Promise.race([stdio.closed, Bun.sleep(1000)]);
    this.cgroups.remove(cgroupPathOf(record));
    await this.#networking.release(record);
    this.#volumes.unmountDriverVolumes(record);
    transition(record, record.State.Status, { ExitCode: err instanceof LaunchError ? err.exitCode : 125, Error: (err as Error).message });
    this.store.save(record);
    // A client waiting for the removal (`docker run --rm`) must hear of it, as for one after an exit.
    if (record.HostConfig.AutoRemove) this.#forget(record, true);
    else for (const attachment of this.#pendingAttach.take(record.Id)) attachment.end();
  }

  /** `--net container:ID` joins the namespace of that container's init, which must be running. */
  #initPid(ref: string): number {
    const other = this.store.get(ref);
    if (!this.#running.has(other.Id)) throw new ConflictError(`cannot join the network of container ${ref}: it is not running`);
    return other.State.Pid;
  }

  #signal(record: ContainerRecord, signal: number): void {
    try {
      process.kill(record.State.Pid, signal);
    } catch {
      // Exited between the check and the signal; its exit is being recorded.
    }
    // A frozen process does not act on SIGKILL until it thaws: Docker thaws a paused container it kills.
    if (record.State.Paused && signal === parseSignal("KILL")) {
      try {
        thaw(this.cgroups, cgroupPathOf(record), record.Id);
      } catch {
        // Its cgroups are already gone with it.
      }
    }
  }
}
