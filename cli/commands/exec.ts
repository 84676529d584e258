import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { enterRawMode, followTerminalSize, pipeStdin } from "../attached-start.ts";
import { openExecStart } from "../hijack.ts";
import { resolveEnv } from "../container-config.ts";
import { readEnvFiles } from "../env-file.ts";
import { DEFAULT_DETACH_KEYS, DetachKeyScanner, parseDetachKeys } from "../../src/util/detach-keys.ts";

export default defineBunkerCommand({
  name: "exec",
  description: "Run a command in a running container",
  usage: "[OPTIONS] CONTAINER COMMAND [ARG...]",
  flags: {
    detach: { kind: "boolean", short: "d", description: "Detached mode: run command in the background" },
    "detach-keys": { kind: "string", description: "Override the key sequence for detaching a container", valueName: "string" },
    env: { kind: "list", short: "e", description: "Set environment variables", valueName: "list" },
    "env-file": { kind: "list", description: "Read in a file of environment variables", valueName: "list" },
    interactive: { kind: "boolean", short: "i", description: "Keep STDIN open even if not attached" },
    privileged: { kind: "boolean", description: "Give extended privileges to the command" },
    tty: { kind: "boolean", short: "t", description: "Allocate a pseudo-TTY" },
    user: { kind: "string", short: "u", description: "Username or UID (format: <name|uid>[:<group|gid>])", valueName: "string" },
    workdir: { kind: "string", short: "w", description: "Working directory inside the container", valueName: "string" },
  },
  operands: { min: 2 },
  // Everything after the container is the command's: `exec web ls -l` must not parse -l as ours.
  stopAtFirstOperand: true,
  async run({ flags, operands: [container, ...command], client }) {
    const tty = flags.tty;
    const attach = !flags.detach;
    const created = await client.json<{ Id: string }>("POST", `/containers/${pathPart(container)}/exec`, {
      json: {
        User: flags.user ?? "",
        Privileged: flags.privileged,
        Tty: tty,
        ConsoleSize: tty && process.stdout.isTTY ? [process.stdout.rows, process.stdout.columns] : undefined,
        AttachStdin: attach && flags.interactive,
        AttachStdout: attach,
        AttachStderr: attach,
        DetachKeys: flags["detach-keys"] ?? "",
        Env: [...readEnvFiles(flags["env-file"], process.env), ...resolveEnv(flags.env, process.env)],
        WorkingDir: flags.workdir ?? "",
        Cmd: command,
      },
    });
    if (flags.detach) {
      await client.request("POST", `/exec/${created.Id}/start`, { json: { Detach: true, Tty: tty } });
      return 0;
    }
    const session = await openExecStart(client, created.Id, { stdin: flags.interactive, tty, stdout: process.stdout, stderr: process.stderr });
    const cleanups: (() => void)[] = [() => session.destroy()];
    try {
      if (tty && flags.interactive && process.stdin.isTTY) cleanups.push(enterRawMode());
      if (flags.interactive) {
        const keys = new DetachKeyScanner(parseDetachKeys(flags["detach-keys"] ?? DEFAULT_DETACH_KEYS));
        cleanups.push(pipeStdin(session, keys, () => session.destroy()));
      } else {
        session.closeWrite();
      }
      if (tty && process.stdout.isTTY) cleanups.push(followTerminalSize(client, `/exec/${created.Id}/resize`));
      await session.finished;
    } finally {
      for (const cleanup of cleanups.reverse()) cleanup();
    }
    const inspected = await client.json<{ ExitCode: number | null; Running: boolean }>("GET", `/exec/${created.Id}/json`);
    if (inspected.Running || inspected.ExitCode === null) return 0; // detached with the keys: it runs on
    return inspected.ExitCode;
  },
});
