import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { FrameDemuxer, type Output } from "../demux.ts";
import { parseSince } from "../since.ts";

export default defineBunkerCommand({
  name: "logs",
  description: "Fetch the logs of a container",
  usage: "[OPTIONS] CONTAINER",
  flags: {
    follow: { kind: "boolean", short: "f", description: "Follow log output" },
    timestamps: { kind: "boolean", short: "t", description: "Show timestamps" },
    tail: { kind: "string", short: "n", description: 'Number of lines to show from the end of the logs (default "all")', valueName: "string" },
    until: { kind: "string", description: "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)", valueName: "string" },
    since: { kind: "string", description: "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)", valueName: "string" },
  },
  operands: { min: 1, max: 1 },
  async run({ flags, operands: [name], client }) {
    const since = flags.since === undefined ? undefined : parseSince(flags.since);
    const until = flags.until === undefined ? undefined : parseSince(flags.until);
    // Only the container's tty setting says whether the log stream is framed or raw.
    const container = await client.json<{ Id: string; Config: { Tty: boolean } }>("GET", `/containers/${pathPart(name)}/json`);
    const response = await client.request("GET", `/containers/${container.Id}/logs`, {
      query: { stdout: true, stderr: true, follow: flags.follow, timestamps: flags.timestamps, tail: flags.tail ?? "all", since, until },
    });
    const demuxer = container.Config.Tty ? undefined : new FrameDemuxer<Output>(process.stdout, process.stderr);
    for await (const chunk of response.body ?? []) {
      const congested = demuxer ? demuxer.push(chunk) : process.stdout.write(chunk) ? [] : [process.stdout];
      // Honour a slow reader (`| less`) instead of buffering the whole log in memory.
      await Promise.all([...congested].map((sink) => new Promise<void>((resolve) => sink.once("drain", () => resolve()))));
    }
    return 0;
  },
});
