/**
 * `image SUBCOMMAND`: docker's management command. `prune` lives here; the rest are the
 * top-level commands under their management names (`image ls` is `images`).
 */
import type { BunkerCommand } from "../command.ts";
import history from "./history.ts";
import images from "./images.ts";
import importCommand from "./import.ts";
import inspect from "./inspect.ts";
import prune from "./image-prune.ts";
import rmi from "./rmi.ts";
import tag from "./tag.ts";

const SUBCOMMANDS: Record<string, BunkerCommand> = { history, import: importCommand, inspect, ls: images, prune, rm: rmi, tag };

const USAGE = `
Usage:  bunker image COMMAND

Manage images

Commands:
${Object.entries(SUBCOMMANDS)
  .map(([name, command]) => `  ${name.padEnd(11)} ${command.meta.description}`)
  .join("\n")}

Run 'bunker image COMMAND --help' for more information on a command.
`;

const image: BunkerCommand = {
  meta: { name: "image", description: "Manage images" },
  async run(rawArgs, connection) {
    const [name, ...rest] = rawArgs;
    const subcommand = name === undefined ? undefined : SUBCOMMANDS[name];
    if (subcommand === undefined) {
      if (name !== undefined && name !== "--help" && name !== "-h") {
        console.error(`bunker: 'image ${name}' is not a bunker command.\nSee 'bunker image --help'`);
        return 1;
      }
      console.log(USAGE);
      return 0;
    }
    return subcommand.run(rest, connection);
  },
};

export default image;
