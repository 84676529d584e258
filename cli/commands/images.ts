import { humanSize } from "../../src/util/human.ts";
import { shortId } from "../../src/util/ids.ts";
import { filtersQuery } from "../filters.ts";
import { formattedRows } from "../formatted.ts";
import { defineBunkerCommand } from "../command.ts";
import { createdAgo, goTime, renderTable, splitRepoTag } from "../render.ts";

interface ImageSummary {
  Id: string;
  RepoTags: string[] | null;
  Created: number;
  Size: number;
}

/** A row's fields as docker's `images --format` templates name them. */
interface ImageRow {
  ID: string;
  Repository: string;
  Tag: string;
  Digest: string;
  CreatedSince: string;
  CreatedAt: string;
  Size: string;
}

const IMAGE_HEADERS: ImageRow = { ID: "IMAGE ID", Repository: "REPOSITORY", Tag: "TAG", Digest: "DIGEST", CreatedSince: "CREATED", CreatedAt: "CREATED AT", Size: "SIZE" };

export default defineBunkerCommand({
  name: "images",
  description: "List images",
  usage: "[OPTIONS] [REPOSITORY[:TAG]]",
  flags: {
    all: { kind: "boolean", short: "a", description: "Show all images (default hides intermediate images)" },
    quiet: { kind: "boolean", short: "q", description: "Only show image IDs" },
    "no-trunc": { kind: "boolean", description: "Don't truncate output" },
    filter: { kind: "list", short: "f", description: "Filter output based on conditions provided (dangling, label, before, since, reference)", valueName: "filter" },
    format: { kind: "string", description: "Pretty-print images using a Go template", valueName: "string" },
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
    const named = images.flatMap((image) => {
      const tags = (image.RepoTags ?? []).filter((tag) => tag !== "<none>:<none>");
      const names = tags.length > 0 ? tags.map(splitRepoTag) : [{ repo: "<none>", tag: "<none>" }];
      return names.map(({ repo, tag }) => ({ image, repo, tag: tag ?? "<none>" }));
    });
    if (flags.format !== undefined && flags.format !== "table") {
      const render = formattedRows<ImageRow>(flags.format, IMAGE_HEADERS);
      console.log(
        render(
          named.map(({ image, repo, tag }) => ({
            ID: id(image.Id),
            Repository: repo,
            Tag: tag,
            Digest: "<none>",
            CreatedSince: createdAgo(image.Created),
            CreatedAt: goTime(image.Created),
            Size: humanSize(image.Size),
          })),
        ),
      );
      return 0;
    }
    const rows = named.map(({ image, repo, tag }) => [repo, tag, id(image.Id), createdAgo(image.Created), humanSize(image.Size)]);
    console.log(renderTable(["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"], rows));
    return 0;
  },
});
