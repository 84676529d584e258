import packageJson from "../../package.json";
import { defineBunkerCommand } from "../command.ts";
import { binarySize } from "../../src/util/human.ts";

interface InfoResponse {
  Containers?: number;
  ContainersRunning?: number;
  ContainersPaused?: number;
  ContainersStopped?: number;
  Images?: number;
  ServerVersion?: string;
  Driver?: string;
  DriverStatus?: [string, string][] | null;
  LoggingDriver?: string;
  CgroupDriver?: string;
  CgroupVersion?: string;
  KernelVersion?: string;
  OperatingSystem?: string;
  OSType?: string;
  Architecture?: string;
  NCPU?: number;
  MemTotal?: number;
  Name?: string;
  ID?: string;
  DockerRootDir?: string;
  Debug?: boolean;
  Warnings?: string[] | null;
  SecurityOptions?: string[] | null;
}

/** docker's rendering of `name=seccomp,profile=default`: the name, then each other key capitalized beneath it. */
function securityOptionLines(options: string[]): string[] {
  const lines: string[] = [];
  for (const option of options) {
    const fields = Object.fromEntries(option.split(",").map((pair) => pair.split("=", 2) as [string, string]));
    lines.push(`  ${fields.name ?? option}`);
    for (const [key, value] of Object.entries(fields)) if (key !== "name") lines.push(`   ${key[0].toUpperCase()}${key.slice(1)}: ${value}`);
  }
  return lines;
}

export default defineBunkerCommand({
  name: "info",
  description: "Display system-wide information",
  usage: "",
  flags: {},
  operands: { min: 0, max: 0 },
  async run({ client }) {
    const info = await client.json<InfoResponse>("GET", "/info");
    const out: string[] = ["Client:", ` Version:    ${packageJson.version}`, "", "Server:"];
    // Docker skips the lines whose fields the daemon did not send.
    const line = (label: string, value: string | number | boolean | undefined) => {
      if (value !== undefined && value !== "") out.push(`${label}: ${value}`);
    };
    line(" Containers", info.Containers);
    line("  Running", info.ContainersRunning);
    line("  Paused", info.ContainersPaused);
    line("  Stopped", info.ContainersStopped);
    line(" Images", info.Images);
    line(" Server Version", info.ServerVersion);
    line(" Storage Driver", info.Driver);
    for (const [key, value] of info.DriverStatus ?? []) line(`  ${key}`, value);
    line(" Logging Driver", info.LoggingDriver);
    line(" Cgroup Driver", info.CgroupDriver);
    line(" Cgroup Version", info.CgroupVersion);
    if (info.SecurityOptions?.length) out.push(" Security Options:", ...securityOptionLines(info.SecurityOptions));
    line(" Kernel Version", info.KernelVersion);
    line(" Operating System", info.OperatingSystem);
    line(" OSType", info.OSType);
    line(" Architecture", info.Architecture);
    line(" CPUs", info.NCPU);
    line(" Total Memory", info.MemTotal === undefined ? undefined : binarySize(info.MemTotal));
    line(" Name", info.Name);
    line(" ID", info.ID);
    line(" Docker Root Dir", info.DockerRootDir);
    line(" Debug Mode", info.Debug);
    console.log(out.join("\n"));
    for (const warning of info.Warnings ?? []) console.error(warning);
    return 0;
  },
});
