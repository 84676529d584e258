import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { registryAuthHeader } from "../docker-config.ts";
import { displayProgress } from "../progress.ts";
import { parseReference, remoteRepository } from "../../src/image/reference.ts";

export default defineBunkerCommand({
  name: "push",
  description: "Upload an image to a registry",
  usage: "[OPTIONS] NAME[:TAG]",
  flags: {
    "all-tags": { kind: "boolean", short: "a", description: "Push all tags of an image to the repository" },
    quiet: { kind: "boolean", short: "q", description: "Suppress verbose output" },
  },
  operands: { min: 1, max: 1 },
  async run({ flags, operands: [name], client }) {
    const ref = parseReference(name);
    if (ref.digest !== undefined) throw new Error("cannot push a digest reference");
    if (flags["all-tags"] && /:[^/]*$/.test(name)) throw new Error("tag can't be used with --all-tags/-a");
    const response = await client.request("POST", `/images/${pathPart(ref.repo)}/push`, {
      query: { tag: flags["all-tags"] ? undefined : ref.tag },
      headers: { "X-Registry-Auth": registryAuthHeader(remoteRepository(ref.repo).domain) },
    });
    await displayProgress(response, flags.quiet ? { write: () => true } : process.stdout);
    if (flags.quiet) console.log(name);
    return 0;
  },
});
