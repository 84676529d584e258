import { jsonMessages, pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { progressBar } from "../../src/util/human.ts";

export default defineBunkerCommand({
  name: "insert",
  description: "Insert a file from URL in the IMAGE at PATH, as a new image",
  usage: "IMAGE URL PATH",
  flags: {},
  operands: { min: 3, max: 3 },
  async run({ operands: [image, url, path], client }) {
    const response = await client.request("POST", `/images/${pathPart(image)}/insert`, { query: { url, path } });
    for await (const message of jsonMessages(response)) {
      if (message.error !== undefined) throw new Error(message.errorDetail?.message ?? message.error);
      const detail = message.progressDetail;
      if (message.status === "Downloading") {
        if (process.stderr.isTTY && detail?.total) process.stderr.write(`\r${progressBar(detail.current ?? 0, detail.total)}`);
      } else if (message.status !== undefined) {
        if (process.stderr.isTTY) process.stderr.write("\n");
        console.log(message.status);
      }
    }
    return 0;
  },
});
