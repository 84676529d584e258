import { attachAndWait } from "../attached-start.ts";
import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";

export default defineBunkerCommand({
  name: "attach",
  description: "Attach local standard input, output, and error streams to a running container",
  usage: "[OPTIONS] CONTAINER",
  flags: {
    "no-stdin": { kind: "boolean", description: "Do not attach STDIN" },
    "detach-keys": { kind: "string", description: "Override the key sequence for detaching a container", valueName: "string" },
  },
  operands: { min: 1, max: 1 },
  async run({ flags, operands: [name], client }) {
    const container = await client.json<{ Id: string; State: { Running: boolean }; Config: { Tty: boolean; OpenStdin: boolean } }>(
      "GET",
      `/containers/${pathPart(name)}/json`,
    );
    if (!container.State.Running) throw new Error("You cannot attach to a stopped container, start it first");
    return attachAndWait(client, {
      containerId: container.Id,
      tty: container.Config.Tty,
      stdin: !flags["no-stdin"] && container.Config.OpenStdin,
      detachKeys: flags["detach-keys"],
      start: false,
      waitCondition: "not-running",
    });
  },
});
