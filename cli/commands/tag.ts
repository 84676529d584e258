import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { splitRepoTag } from "../render.ts";

export default defineBunkerCommand({
  name: "tag",
  description: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
  usage: "[OPTIONS] SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
  flags: {
    // 2013's tag refused to move a tag without -f; today's moves it anyway, as bunker does.
    force: { kind: "boolean", short: "f", description: "Force (accepted for compatibility; a tag always moves)" },
  },
  // 2013 spelled the tag as a third operand: `tag IMAGE REPOSITORY TAG`.
  operands: { min: 2, max: 3 },
  async run({ operands: [source, target, legacyTag], client }) {
    const { repo, tag } = legacyTag === undefined ? splitRepoTag(target) : { repo: target, tag: legacyTag };
    await client.request("POST", `/images/${pathPart(source)}/tag`, { query: { repo, tag: tag ?? "latest" } });
    return 0;
  },
});
