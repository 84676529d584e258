import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { alignColumns } from "../render.ts";

export default defineBunkerCommand({
  name: "top",
  description: "Display the running processes of a container",
  usage: "CONTAINER [ps OPTIONS]",
  flags: {},
  operands: { min: 1 },
  // Everything after the container is ps's: `top web -o pid,comm` must not be parsed as our flags.
  stopAtFirstOperand: true,
  async run({ operands: [container, ...psArgs], client }) {
    const result = await client.json<{ Titles: string[]; Processes: string[][] }>("GET", `/containers/${pathPart(container)}/top`, {
      query: { ps_args: psArgs.length > 0 ? psArgs.join(" ") : undefined },
    });
    // docker's tabwriter: minimum width 20, padding 3.
    console.log(alignColumns([result.Titles, ...result.Processes], 20, 3));
    return 0;
  },
});
