import { buildCommit, VERSION } from "../../src/util/build-info.ts";
import { API_VERSION } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";
import { alignColumns } from "../render.ts";

interface VersionResponse {
  Version: string;
  ApiVersion: string;
  MinAPIVersion?: string;
  GitCommit?: string;
  GoVersion?: string;
  Os: string;
  Arch: string;
  KernelVersion?: string;
  BuildTime?: string;
  Components?: { Name: string; Version: string; Details?: Record<string, string> }[];
}

/** Go's names for architectures, which the daemon reports too. */
const GO_ARCH: Record<string, string> = { x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" };

export default defineBunkerCommand({
  name: "version",
  description: "Show the bunker version information",
  usage: "",
  flags: {},
  operands: { min: 0, max: 0 },
  async run({ client }) {
    const lines: string[][] = [
      ["Client:"],
      [" Version:", VERSION],
      [" API version:", API_VERSION],
      [" Git commit:", buildCommit()],
      [" Bun version:", Bun.version],
      [" OS/Arch:", `${process.platform}/${GO_ARCH[process.arch] ?? process.arch}`],
    ];
    // Like docker, show the client half even when the daemon is down, then report the failure.
    let server: VersionResponse;
    try {
      server = await client.json<VersionResponse>("GET", "/version");
    } catch (error) {
      console.log(`${alignColumns(lines, 20, 1)}\n`);
      throw error;
    }
    const engine = server.Components?.find((component) => component.Name === "Engine");
    const details = engine?.Details ?? {};
    const field = (label: string, value: string | undefined) => (value ? [[`  ${label}:`, value]] : []);
    lines.push(
      [],
      ["Server:"],
      [" Engine:"],
      ["  Version:", server.Version],
      ["  API version:", `${server.ApiVersion}${server.MinAPIVersion ? ` (minimum version ${server.MinAPIVersion})` : ""}`],
      ...field("Go version", details.GoVersion ?? server.GoVersion),
      ...field("Git commit", details.GitCommit ?? server.GitCommit),
      ...field("Built", details.BuildTime ?? server.BuildTime),
      ["  OS/Arch:", `${server.Os}/${server.Arch}`],
    );
    for (const component of server.Components ?? []) {
      if (component.Name === "Engine") continue;
      lines.push([` ${component.Name}:`], ["  Version:", component.Version], ...field("GitCommit", component.Details?.GitCommit));
    }
    console.log(alignColumns(lines, 20, 1));
    return 0;
  },
});
