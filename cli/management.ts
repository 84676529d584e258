/**
 * Docker's management commands (`image …`, `container …`): a word that picks a subcommand,
 * most of them the top-level commands under another name (`container ls` is `ps`).
 */
import type { BunkerCommand } from "./command.ts";

export function managementCommand(name: string, description: string, subcommands: Record<string, BunkerCommand>): BunkerCommand {
  const usage = `
Usage:  bunker ${name} COMMAND

${description}

Commands:
${Object.entries(subcommands)
  .map(([sub, command]) => `  ${sub.padEnd(11)} ${command.meta.description}`)
  .join("\n")}

Run 'bunker ${name} COMMAND --help' for more information on a command.
`;
  return {
    meta: { name, description },
    async run(rawArgs, connection) {
      const [word, ...rest] = rawArgs;
      const subcommand = word === undefined ? undefined : subcommands[word];
      if (subcommand === undefined) {
        if (word !== undefined && word !== "--help" && word !== "-h") {
          console.error(`bunker: '${name} ${word}' is not a bunker command.\nSee 'bunker ${name} --help'`);
          return 1;
        }
        console.log(usage);
        return 0;
      }
      return subcommand.run(rest, connection);
    },
  };
}
