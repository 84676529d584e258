import { defineBunkerCommand } from "../command.ts";
import { pulledName, pullImage } from "../pull-image.ts";

export default defineBunkerCommand({
  name: "pull",
  description: "Download an image from a registry",
  usage: "[OPTIONS] NAME[:TAG|@DIGEST]",
  flags: {
    "all-tags": { kind: "boolean", short: "a", description: "Download all tagged images in the repository" },
    quiet: { kind: "boolean", short: "q", description: "Suppress verbose output" },
    platform: { kind: "string", description: "Set platform if server is multi-platform capable", valueName: "string" },
  },
  operands: { min: 1, max: 1 },
  async run({ flags, operands: [name], client }) {
    if (flags["all-tags"] && /[:@][^/]*$/.test(name)) throw new Error("tag can't be used with --all-tags/-a");
    const out = flags.quiet ? { write: () => true } : process.stdout;
    const ref = await pullImage(client, name, { allTags: flags["all-tags"], out });
    console.log(flags["all-tags"] ? pulledName({ repo: ref.repo }).replace(/:latest$/, "") : pulledName(ref));
    return 0;
  },
});
