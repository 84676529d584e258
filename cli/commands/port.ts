import { pathPart } from "../client.ts";
import { defineBunkerCommand } from "../command.ts";

type PortMap = Record<string, { HostIp: string; HostPort: string }[] | null>;

/** `0.0.0.0:49153`, `[::]:49153`, as docker prints a binding. */
function address(binding: { HostIp: string; HostPort: string }): string {
  return `${binding.HostIp.includes(":") ? `[${binding.HostIp}]` : binding.HostIp}:${binding.HostPort}`;
}

export default defineBunkerCommand({
  name: "port",
  description: "List port mappings or a specific mapping for the container",
  usage: "CONTAINER [PRIVATE_PORT[/PROTO]]",
  flags: {},
  operands: { min: 1, max: 2 },
  async run({ operands: [name, wanted], client }) {
    const container = await client.json<{ NetworkSettings: { Ports: PortMap | null } }>("GET", `/containers/${pathPart(name)}/json`);
    const ports = container.NetworkSettings.Ports ?? {};
    if (wanted !== undefined) {
      const key = wanted.includes("/") ? wanted : `${wanted}/tcp`;
      const bindings = ports[key];
      if (!bindings?.length) throw new Error(`No public port '${key}' published for ${name}`);
      for (const binding of bindings) console.log(address(binding));
      return 0;
    }
    const keys = Object.keys(ports).sort((a, b) => parseInt(a) - parseInt(b) || a.localeCompare(b));
    for (const key of keys) for (const binding of ports[key] ?? []) console.log(`${key} -> ${address(binding)}`);
    return 0;
  },
});
