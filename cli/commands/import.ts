import { jsonMessages, type RequestOptions } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { progressBar } from "../../src/util/human.ts";

export default defineBunkerCommand({
  name: "import",
  description: "Import the contents from a tarball to create a filesystem image",
  usage: "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
  flags: {
    change: { kind: "list", short: "c", description: "Apply Dockerfile instruction to the created image", valueName: "list" },
    message: { kind: "string", short: "m", description: "Set commit message for imported image", valueName: "string" },
  },
  operands: { min: 1, max: 2 },
  async run({ flags, operands: [source, repo], client }) {
    const isUrl = /^https?:\/\//.test(source);
    const request: RequestOptions = {
      // Like docker: the tag travels inside `repo`, and a URL is fetched by the daemon itself.
      query: { fromSrc: isUrl ? source : "-", repo, message: flags.message, changes: flags.change },
      headers: { "Content-Type": "text/plain" },
    };
    if (!isUrl) request.body = await tarballStream(source);
    const response = await client.request("POST", "/images/create", request);
    for await (const message of jsonMessages(response)) {
      if (message.error !== undefined) throw new Error(message.errorDetail?.message ?? message.error);
      if (message.status !== undefined) console.log(message.id ? `${message.id}: ${message.status}` : message.status);
    }
    return 0;
  },
});

/** The tarball as a stream, never read whole into memory; with a terminal on stderr, a progress bar. */
async function tarballStream(source: string): Promise<ReadableStream<Uint8Array>> {
  if (source === "-") return Bun.stdin.stream();
  const file = Bun.file(source);
  if (!(await file.exists())) throw new Error(`open ${source}: no such file or directory`);
  if (!process.stderr.isTTY) return file.stream();
  let sent = 0;
  return file.stream().pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        sent += chunk.length;
        process.stderr.write(`\r${progressBar(sent, file.size)}`);
        controller.enqueue(chunk);
      },
      flush() {
        process.stderr.write("\n");
      },
    }),
  );
}
