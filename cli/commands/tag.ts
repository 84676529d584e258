import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { splitRepoTag } from "../render.ts";

export default defineBunkerCommand({
  name: "tag",
  description: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
  usage: "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
  flags: {},
  operands: { min: 2, max: 2 },
  async run({ operands: [source, target], client }) {
    const { repo, tag } = splitRepoTag(target);
    await client.request("POST", `/images/${pathPart(source)}/tag`, { query: { repo, tag: tag ?? "latest" } });
    return 0;
  },
});
