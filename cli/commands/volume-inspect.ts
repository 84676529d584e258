import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { compileTemplate } from "../template.ts";

export default defineBunkerCommand({
  name: "inspect",
  description: "Display detailed information on one or more volumes",
  usage: "[OPTIONS] VOLUME [VOLUME...]",
  flags: {
    format: { kind: "string", short: "f", description: "Format the output using the given Go template", valueName: "string" },
  },
  operands: { min: 1 },
  async run({ flags, operands, client }) {
    const found: unknown[] = [];
    let status = 0;
    for (const name of operands) {
      try {
        found.push(await client.json("GET", `/volumes/${pathPart(name)}`));
      } catch {
        console.error(`Error: No such volume: ${name}`);
        status = 1;
      }
    }
    if (flags.format !== undefined) {
      const render = compileTemplate(flags.format);
      for (const volume of found) console.log(render(volume));
    } else {
      console.log(JSON.stringify(found, null, 4));
    }
    return status;
  },
});
