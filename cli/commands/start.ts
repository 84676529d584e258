import { attachAndWait } from "../attached-start.ts";
import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { forEachTarget } from "../each-target.ts";

export default defineBunkerCommand({
  name: "start",
  description: "Start one or more stopped containers",
  usage: "[OPTIONS] CONTAINER [CONTAINER...]",
  flags: {
    attach: { kind: "boolean", short: "a", description: "Attach STDOUT/STDERR and forward signals" },
    interactive: { kind: "boolean", short: "i", description: "Attach container's STDIN" },
  },
  operands: { min: 1 },
  async run({ flags, operands, client }) {
    if (!flags.attach && !flags.interactive) {
      // 304 (already running) is not an error: request() only throws for 4xx/5xx.
      return forEachTarget(operands, async (name) => {
        await client.request("POST", `/containers/${pathPart(name)}/start`);
        return name;
      });
    }
    if (operands.length > 1) throw new Error("you cannot start and attach multiple containers at once");
    // The attach stream is framed or raw depending on the container's tty, so ask first.
    const container = await client.json<{ Id: string; Config: { Tty: boolean; OpenStdin: boolean } }>(
      "GET",
      `/containers/${pathPart(operands[0])}/json`,
    );
    return attachAndWait(client, {
      containerId: container.Id,
      tty: container.Config.Tty,
      stdin: flags.interactive && container.Config.OpenStdin,
      start: true,
      waitCondition: "next-exit",
    });
  },
});
