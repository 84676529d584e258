/**
 * Attaches to a container the way `docker run`, `docker start -a` and `docker attach` do:
 * open the attach hijack and `POST /wait` together, start the container (unless it runs
 * already) only once the 101 and the wait headers are both in (so no output and no exit can
 * be missed), stream until the daemon closes the attach socket, then take the exit code from
 * the wait body. Detaching (ctrl-p ctrl-q) leaves the container running and returns 0.
 */
import { DEFAULT_DETACH_KEYS, DetachKeyScanner, parseDetachKeys } from "../src/util/detach-keys.ts";
import { ApiClient, pathPart } from "./client.ts";
import { openAttach, type AttachSession } from "./hijack.ts";

export interface AttachedStartOptions {
  containerId: string;
  tty: boolean;
  /** Forward our stdin to the container (-i). */
  stdin: boolean;
  /** Start the container once attached (run, start -a); false for `attach`. */
  start: boolean;
  /** `removed` with --rm, so the code arrives after the daemon has removed the container. */
  waitCondition: "not-running" | "next-exit" | "removed";
  /** `-a`: which outputs to show; both when not given. */
  outputs?: { stdout: boolean; stderr: boolean };
  /** `--detach-keys`; ctrl-p,ctrl-q when not given. */
  detachKeys?: string;
}

/** Returns the container's exit code; a failing start rejects with the daemon's error. */
export async function attachAndWait(client: ApiClient, options: AttachedStartOptions): Promise<number> {
  const id = pathPart(options.containerId);
  const detachKeys = parseDetachKeys(options.detachKeys ?? DEFAULT_DETACH_KEYS);
  const [attached, waiting] = await Promise.allSettled([
    openAttach(client, options.containerId, {
      stdin: options.stdin,
      tty: options.tty,
      outputs: options.outputs,
      detachKeys: options.detachKeys,
      stdout: process.stdout,
      stderr: process.stderr,
    }),
    client.request("POST", `/containers/${id}/wait`, { query: { condition: options.waitCondition } }),
  ]);
  if (attached.status === "rejected" || waiting.status === "rejected") {
    if (attached.status === "fulfilled") attached.value.destroy();
    if (waiting.status === "fulfilled") await waiting.value.body?.cancel();
    throw [attached, waiting].find((result): result is PromiseRejectedResult => result.status === "rejected")?.reason;
  }
  const session = attached.value;
  const cleanups: (() => void)[] = [() => session.destroy()];
  let detached = false;
  try {
    if (options.tty && options.stdin && process.stdin.isTTY) cleanups.push(enterRawMode());
    if (options.stdin) {
      cleanups.push(
        pipeStdin(session, new DetachKeyScanner(detachKeys), () => {
          detached = true;
          session.destroy();
        }),
      );
    } else {
      session.closeWrite();
    }

    // Relayed from before the start: the container may print, and the user press ^C, before
    // the start's answer is back. With a tty, ^C travels as a byte instead (sig-proxy off).
    if (!options.tty) cleanups.push(proxySignals(client, id));
    if (options.start) await client.request("POST", `/containers/${id}/start`);

    if (options.tty && process.stdout.isTTY) cleanups.push(followTerminalSize(client, `/containers/${id}/resize`));

    await session.finished;
    if (detached) {
      // The container runs on: there is no exit code to wait for.
      await waiting.value.body?.cancel();
      return 0;
    }
    const result = (await waiting.value.json()) as { StatusCode: number };
    return result.StatusCode;
  } finally {
    for (const cleanup of cleanups.reverse()) cleanup();
  }
}

/** Raw mode so keystrokes (^C, ^D, arrows) reach the container's tty; restored on every way out. */
export function enterRawMode(): () => void {
  process.stdin.setRawMode(true);
  const restore = () => process.stdin.setRawMode(false);
  // A signal would end us with the terminal still raw: restore it, then let the signal do its usual work.
  const onSignal = (signal: NodeJS.Signals) => {
    restore();
    removeHandlers();
    process.kill(process.pid, signal);
  };
  const fatalSignals: NodeJS.Signals[] = ["SIGTERM", "SIGHUP", "SIGQUIT"];
  const removeHandlers = () => fatalSignals.forEach((signal) => process.off(signal, onSignal));
  fatalSignals.forEach((signal) => process.on(signal, onSignal));
  return () => {
    removeHandlers();
    restore();
  };
}

/**
 * Copies our stdin to the container, and half-closes when it ends so the container sees EOF.
 * The detach keys end the attach here (the docker CLI also watches for them itself).
 */
export function pipeStdin(session: AttachSession, scanner: DetachKeyScanner, onDetach: () => void): () => void {
  const onData = (chunk: Uint8Array) => {
    const { forward, detach } = scanner.feed(chunk);
    if (forward.length) session.write(forward);
    if (detach) onDetach();
  };
  const onEnd = () => session.closeWrite();
  process.stdin.on("data", onData);
  process.stdin.on("end", onEnd);
  return () => {
    process.stdin.off("data", onData);
    process.stdin.off("end", onEnd);
    // Stop reading, or a still-open terminal would keep this process alive.
    process.stdin.pause();
  };
}

/** Sends our window's size now and on every SIGWINCH to `resizePath` (a container's, or an exec's). */
export function followTerminalSize(client: ApiClient, resizePath: string): () => void {
  const resize = () => {
    // A terminal that reports no size (0x0) has nothing useful to tell the container.
    if (!process.stdout.rows || !process.stdout.columns) return;
    // 409 once the container has exited: docker ignores it, and so do we.
    client
      .request("POST", resizePath, { query: { h: process.stdout.rows, w: process.stdout.columns } })
      .catch(() => {});
  };
  resize();
  process.on("SIGWINCH", resize);
  return () => void process.off("SIGWINCH", resize);
}

function proxySignals(client: ApiClient, id: string): () => void {
  const forward = (signal: NodeJS.Signals) => {
    client.request("POST", `/containers/${id}/kill`, { query: { signal: signal.replace(/^SIG/, "") } }).catch(() => {});
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM"];
  signals.forEach((signal) => process.on(signal, forward));
  return () => signals.forEach((signal) => process.off(signal, forward));
}
