import { defineBunkerCommand } from "../command.ts";
import { confirmed } from "../confirm.ts";
import { printPruneReport } from "../prune-report.ts";
import { imageLines } from "./image-prune.ts";

const WARNING = `WARNING! This will remove:
  - all stopped containers
  - all dangling images

Are you sure you want to continue? [y/N] `;

export default defineBunkerCommand({
  name: "prune",
  description: "Remove unused data",
  usage: "[OPTIONS]",
  flags: {
    force: { kind: "boolean", short: "f", description: "Do not prompt for confirmation" },
  },
  operands: { min: 0, max: 0 },
  async run({ flags, client }) {
    if (!flags.force && !(await confirmed(WARNING))) return 0;
    const containers = await client.json<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>("POST", "/containers/prune");
    const images = await client.json<{ ImagesDeleted: { Untagged?: string; Deleted?: string }[] | null; SpaceReclaimed: number }>("POST", "/images/prune", {
      query: { filters: JSON.stringify({ dangling: { true: true } }) },
    });
    printPruneReport(
      [
        ["Deleted Containers", containers.ContainersDeleted ?? []],
        ["Deleted Images", imageLines(images.ImagesDeleted)],
      ],
      containers.SpaceReclaimed + images.SpaceReclaimed,
    );
    return 0;
  },
});
