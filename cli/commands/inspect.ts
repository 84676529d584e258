import { ApiClient, ApiError, pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { compileTemplate } from "../template.ts";

export default defineBunkerCommand({
  name: "inspect",
  description: "Return low-level information on bunker objects",
  usage: "[OPTIONS] NAME|ID [NAME|ID...]",
  flags: {
    format: { kind: "string", short: "f", description: "Format output using a Go template ({{.A.B}}, {{json .A}})", valueName: "string" },
  },
  operands: { min: 1 },
  async run({ flags, operands, client }) {
    const render = flags.format === undefined ? undefined : compileTemplate(flags.format);
    const found: unknown[] = [];
    const missing: string[] = [];
    for (const name of operands) {
      const object = await findObject(client, name);
      if (object === undefined) missing.push(name);
      else found.push(object);
    }
    if (render) for (const object of found) console.log(render(object));
    else console.log(JSON.stringify(found, null, 4));
    for (const name of missing) console.error(`Error: No such object: ${name}`);
    return missing.length > 0 ? 1 : 0;
  },
});

/** A name may be a container or an image: docker asks for a container first. */
async function findObject(client: ApiClient, name: string): Promise<unknown> {
  for (const kind of ["containers", "images"]) {
    try {
      return await client.json<unknown>("GET", `/${kind}/${pathPart(name)}/json`);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
  }
  return undefined;
}
