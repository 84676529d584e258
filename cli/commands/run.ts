import { attachAndWait } from "../attached-start.ts";
import { ApiError, DaemonUnreachableError, errorLine, pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { attachedStreams, containerFlags } from "../container-config.ts";
import { createContainer } from "../create-container.ts";

export default defineBunkerCommand({
  name: "run",
  description: "Create and run a new container from an image",
  usage: "[OPTIONS] IMAGE [COMMAND] [ARG...]",
  flags: {
    detach: { kind: "boolean", short: "d", description: "Run container in background and print container ID" },
    ...containerFlags,
  },
  operands: { min: 1 },
  stopAtFirstOperand: true,
  failureStatus: 125,
  async run({ flags, operands: [image, ...command], client }) {
    const id = await createContainer(client, image, command, flags, !flags.detach);
    try {
      if (flags.detach) {
        await client.request("POST", `/containers/${pathPart(id)}/start`);
        console.log(id);
        return 0;
      }
      const streams = attachedStreams(flags.attach, true, flags.interactive);
      return await attachAndWait(client, {
        containerId: id,
        tty: flags.tty,
        stdin: streams.stdin,
        outputs: streams,
        detachKeys: flags["detach-keys"],
        start: true,
        waitCondition: flags.rm ? "removed" : "next-exit",
      });
    } catch (error) {
      if (error instanceof DaemonUnreachableError) throw error;
      console.error(errorLine(error));
      return startFailureStatus(error);
    }
  },
});

/** Like a shell, docker tells "command not found" (127) and "not executable" (126) apart. */
function startFailureStatus(error: unknown): number {
  const message = error instanceof ApiError ? error.message : "";
  if (/executable file not found|no such file or directory/.test(message)) return 127;
  if (/permission denied|is a directory/.test(message)) return 126;
  return 125;
}
