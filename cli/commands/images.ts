import { humanSize } from "../../src/util/human.ts";
import { shortId } from "../../src/util/ids.ts";
import { filtersQuery } from "../filters.ts";
import { defineBunkerCommand } from "../command.ts";
import { createdAgo, renderTable, splitRepoTag } from "../render.ts";

interface ImageSummary {
  Id: string;
  RepoTags: string[] | null;
  Created: number;
  Size: number;
}

export default defineBunkerCommand({
  name: "images",
  description: "List images",
  usage: "[OPTIONS] [REPOSITORY[:TAG]]",
  flags: {
    all: { kind: "boolean", short: "a", description: "Show all images (default hides intermediate images)" },
    quiet: { kind: "boolean", short: "q", description: "Only show image IDs" },
    "no-trunc": { kind: "boolean", description: "Don't truncate output" },
    filter: { kind: "list", short: "f", description: "Filter output based on conditions provided (dangling, label, before, since, reference)", valueName: "filter" },
  },
  operands: { min: 0, max: 1 },
  async run({ flags, operands, client }) {
    // `images NAME` is a reference filter, as the docker CLI sends it.
    const filters = filtersQuery(flags.filter, operands[0] ? { reference: operands[0] } : {});
    const images = await client.json<ImageSummary[]>("GET", "/images/json", { query: { all: flags.all, filters } });
    const id = (full: string) => (flags["no-trunc"] ? full : shortId(full));
    if (flags.quiet) {
      // An image with several tags is still one ID.
      for (const imageId of new Set(images.map((image) => id(image.Id)))) console.log(imageId);
      return 0;
    }
    const rows = images.flatMap((image) => {
      const tags = (image.RepoTags ?? []).filter((tag) => tag !== "<none>:<none>");
      const names = tags.length > 0 ? tags.map(splitRepoTag) : [{ repo: "<none>", tag: "<none>" }];
      return names.map(({ repo, tag }) => [repo, tag ?? "<none>", id(image.Id), createdAgo(image.Created), humanSize(image.Size)]);
    });
    console.log(renderTable(["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"], rows));
    return 0;
  },
});
