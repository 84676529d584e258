import { jsonMessages } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";

export default defineBunkerCommand({
  name: "load",
  description: "Load an image from a tar archive or STDIN",
  usage: "[OPTIONS]",
  flags: {
    input: { kind: "string", short: "i", description: "Read from tar archive file, instead of STDIN", valueName: "string" },
    quiet: { kind: "boolean", short: "q", description: "Suppress the load output" },
  },
  operands: { min: 0, max: 0 },
  async run({ flags, client }) {
    if (!flags.input && process.stdin.isTTY) throw new Error("requested load from stdin, but stdin is empty");
    const body = flags.input ? Bun.file(flags.input).stream() : Bun.stdin.stream();
    const response = await client.request("POST", "/images/load", { query: { quiet: flags.quiet }, body, headers: { "Content-Type": "application/x-tar" } });
    for await (const message of jsonMessages(response)) {
      if (message.error !== undefined) throw new Error(message.errorDetail?.message ?? message.error);
      if (message.stream !== undefined && !flags.quiet) process.stdout.write(message.stream);
    }
    return 0;
  },
});
