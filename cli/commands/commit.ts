import { UsageError } from "../args.ts";
import { defineBunkerCommand } from "../command.ts";
import { splitRepoTag } from "../render.ts";

export default defineBunkerCommand({
  name: "commit",
  description: "Create a new image from a container's changes",
  usage: "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
  flags: {
    author: { kind: "string", short: "a", description: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")', valueName: "string" },
    change: { kind: "list", short: "c", description: "Apply Dockerfile instruction to the created image", valueName: "list" },
    message: { kind: "string", short: "m", description: "Commit message", valueName: "string" },
    pause: { kind: "boolean", short: "p", description: "Pause container during commit (default true)", defaultTrue: true },
    run: { kind: "string", description: "Config to apply over the container's, as JSON (the 2013 form)", valueName: "json" },
  },
  operands: { min: 1, max: 2 },
  async run({ flags, operands: [container, reference], client }) {
    const { repo, tag } = reference ? splitRepoTag(reference) : { repo: undefined, tag: undefined };
    let config: unknown;
    if (flags.run !== undefined) {
      try {
        config = JSON.parse(flags.run);
      } catch (error) {
        throw new UsageError(`invalid --run config: ${(error as Error).message}`);
      }
    }
    const { Id } = await client.json<{ Id: string }>("POST", "/commit", {
      query: { container, repo, tag, author: flags.author, comment: flags.message, changes: flags.change, pause: flags.pause ? undefined : "0" },
      json: config,
    });
    console.log(Id);
    return 0;
  },
});
