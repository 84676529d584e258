import { humanSize } from "../../src/util/human.ts";
import { shortId } from "../../src/util/ids.ts";
import { UsageError } from "../args.ts";
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
  usage: "[OPTIONS]",
  flags: {
    all: { kind: "boolean", short: "a", description: "Show all images (default hides intermediate images)" },
    quiet: { kind: "boolean", short: "q", description: "Only show image IDs" },
    "no-trunc": { kind: "boolean", description: "Don't truncate output" },
    filter: { kind: "list", short: "f", description: "Filter output based on conditions provided (dangling=true|false)", valueName: "filter" },
  },
  operands: { min: 0, max: 0 },
  async run({ flags, client }) {
    const images = await client.json<ImageSummary[]>("GET", "/images/json", { query: { all: flags.all, filters: filtersQuery(flags.filter) } });
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

/** `-f key=value`, repeatable, as the API's `filters` JSON (`{"dangling":{"true":true}}`). */
function filtersQuery(filters: string[]): string | undefined {
  if (filters.length === 0) return undefined;
  const byKey: Record<string, Record<string, boolean>> = {};
  for (const filter of filters) {
    const eq = filter.indexOf("=");
    if (eq <= 0) throw new UsageError(`bad format of filter (expected name=value): ${filter}`);
    (byKey[filter.slice(0, eq)] ??= {})[filter.slice(eq + 1)] = true;
  }
  return JSON.stringify(byKey);
}
