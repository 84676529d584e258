import { defineBunkerCommand } from "../command.ts";
import { containerFlags } from "../container-config.ts";
import { createContainer } from "../create-container.ts";

export default defineBunkerCommand({
  name: "create",
  description: "Create a new container",
  usage: "[OPTIONS] IMAGE [COMMAND] [ARG...]",
  flags: containerFlags,
  operands: { min: 1 },
  stopAtFirstOperand: true,
  failureStatus: 125,
  async run({ flags, operands: [image, ...command], client }) {
    console.log(await createContainer(client, image, command, flags, true));
    return 0;
  },
});
