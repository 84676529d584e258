/** `volume inspect` and `network inspect`: each object as JSON (an array of all) or through `--format`, docker's "No such" line for a missing one. */
import type { ApiClient } from "./client.ts";
import { compileTemplate } from "./template.ts";

export async function inspectEach(client: ApiClient, names: string[], pathOf: (name: string) => string, noun: string, format: string | undefined): Promise<number> {
  const found: unknown[] = [];
  let status = 0;
  for (const name of names) {
    try {
      found.push(await client.json("GET", pathOf(name)));
    } catch {
      console.error(`Error: No such ${noun}: ${name}`);
      status = 1;
    }
  }
  if (format !== undefined) {
    const render = compileTemplate(format);
    for (const item of found) console.log(render(item));
  } else {
    console.log(JSON.stringify(found, null, 4));
  }
  return status;
}
