import { writeFileSync } from "node:fs";
import { jsonMessages } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { directoryContext, stdinContext } from "../build-context.ts";
import { humanSize } from "../../src/util/human.ts";
import { registryConfigHeader } from "../docker-config.ts";

/** A build failure the daemon reported in the stream; the CLI exits with its code, as docker does. */
class BuildFailed extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

export default defineBunkerCommand({
  name: "build",
  description: "Build an image from a Dockerfile",
  usage: "[OPTIONS] PATH | URL | -",
  flags: {
    tag: { kind: "list", short: "t", description: "Name and optionally a tag in the 'name:tag' format", valueName: "list" },
    file: { kind: "string", short: "f", description: "Name of the Dockerfile (Default is 'PATH/Dockerfile')", valueName: "string" },
    quiet: { kind: "boolean", short: "q", description: "Suppress the build output and print image ID on success" },
    "no-cache": { kind: "boolean", description: "Do not use cache when building the image" },
    rm: { kind: "boolean", defaultTrue: true, description: "Remove intermediate containers after a successful build" },
    "force-rm": { kind: "boolean", description: "Always remove intermediate containers" },
    "build-arg": { kind: "list", description: "Set build-time variables", valueName: "list" },
    label: { kind: "list", description: "Set metadata for an image", valueName: "list" },
    target: { kind: "string", description: "Set the target build stage to build.", valueName: "string" },
    pull: { kind: "boolean", description: "Always attempt to pull a newer version of the image" },
    iidfile: { kind: "string", description: "Write the image ID to the file", valueName: "string" },
    network: { kind: "string", description: "Set the networking mode for the RUN instructions during build", valueName: "string" },
    "explain-cache": { kind: "boolean", description: "Say why each step that runs missed the cache (bunker only)" },
  },
  operands: { min: 1, max: 1 },
  async run({ flags, operands: [source], client }) {
    const isUrl = /^(https?:\/\/|git:\/\/|git@|github\.com\/)/.test(source);
    const dockerfile = flags.file ?? "Dockerfile";
    const buildArgs = Object.fromEntries(flags["build-arg"].map((arg) => {
      const eq = arg.indexOf("=");
      // `--build-arg NAME` takes NAME from the environment, as docker does.
      return eq === -1 ? [arg, process.env[arg] ?? null] : [arg.slice(0, eq), arg.slice(eq + 1)];
    }));
    const labels = Object.fromEntries(flags.label.map((label) => {
      const eq = label.indexOf("=");
      return eq === -1 ? [label, ""] : [label.slice(0, eq), label.slice(eq + 1)];
    }));
    let body: ReadableStream<Uint8Array> | undefined;
    if (!isUrl) {
      const context = source === "-" ? await stdinContext() : directoryContext(source, dockerfile);
      body = flags.quiet ? context : counted(context);
    }
    const response = await client.request("POST", "/build", {
      query: {
        t: flags.tag,
        dockerfile: source === "-" ? undefined : flags.file,
        q: flags.quiet,
        nocache: flags["no-cache"],
        rm: flags.rm ? undefined : "0",
        forcerm: flags["force-rm"],
        buildargs: flags["build-arg"].length ? JSON.stringify(buildArgs) : undefined,
        labels: flags.label.length ? JSON.stringify(labels) : undefined,
        target: flags.target,
        pull: flags.pull,
        networkmode: flags.network,
        explaincache: flags["explain-cache"],
        remote: isUrl ? source : undefined,
      },
      body,
      headers: { "Content-Type": "application/x-tar", "X-Registry-Config": registryConfigHeader() },
    });
    let imageId: string | undefined;
    try {
      for await (const message of jsonMessages(response)) {
        const failure = message.errorDetail ?? (message.error !== undefined ? { message: message.error } : undefined);
        if (failure) throw new BuildFailed(failure.message ?? "build failed", failure.code || 1);
        const aux = (message as { aux?: { ID?: string } }).aux;
        if (aux?.ID) imageId = aux.ID;
        if (message.stream !== undefined && !flags.quiet) process.stdout.write(message.stream);
      }
    } catch (error) {
      if (!(error instanceof BuildFailed)) throw error;
      console.error(error.message);
      return error.code;
    }
    if (flags.quiet && imageId) console.log(imageId);
    if (flags.iidfile && imageId) writeFileSync(flags.iidfile, imageId);
    return 0;
  },
});

/** The context on its way up, with docker's "Sending build context" line when it is done. */
function counted(context: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  let sent = 0;
  return context.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        sent += chunk.length;
        if (process.stdout.isTTY) process.stdout.write(`\rSending build context to Docker daemon  ${humanSize(sent)}`);
        controller.enqueue(chunk);
      },
      flush() {
        process.stdout.write(`${process.stdout.isTTY ? "\r" : ""}Sending build context to Docker daemon  ${humanSize(sent)}\n`);
      },
    }),
  );
}
