import { createWriteStream } from "node:fs";
import { Writable } from "node:stream";
import { defineBunkerCommand } from "../command.ts";

export default defineBunkerCommand({
  name: "save",
  description: "Save one or more images to a tar archive (streamed to STDOUT by default)",
  usage: "[OPTIONS] IMAGE [IMAGE...]",
  flags: {
    output: { kind: "string", short: "o", description: "Write to a file, instead of STDOUT", valueName: "string" },
  },
  operands: { min: 1 },
  async run({ flags, operands, client }) {
    if (!flags.output && process.stdout.isTTY) throw new Error("cowardly refusing to save to a terminal. Use the -o flag or redirect");
    const response = await client.request("GET", "/images/get", { query: { names: operands } });
    const out = flags.output ? createWriteStream(flags.output) : process.stdout;
    await response.body?.pipeTo(Writable.toWeb(out));
    return 0;
  },
});
