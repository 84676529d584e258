import { defineBunkerCommand } from "../command.ts";
import { labelsOf } from "../labels.ts";

export default defineBunkerCommand({
  name: "create",
  description: "Create a volume",
  usage: "[OPTIONS] [VOLUME]",
  flags: {
    driver: { kind: "string", short: "d", description: 'Specify volume driver name (default "local")', valueName: "string" },
    label: { kind: "list", description: "Set metadata for a volume", valueName: "list" },
    name: { kind: "string", description: "Specify volume name", valueName: "string" },
    opt: { kind: "list", short: "o", description: "Set driver specific options", valueName: "map" },
  },
  operands: { min: 0, max: 1 },
  async run({ flags, operands: [name], client }) {
    const labels = labelsOf(flags.label);
    const volume = await client.json<{ Name: string }>("POST", "/volumes/create", { json: { Name: name ?? flags.name ?? "", Driver: flags.driver ?? "local", DriverOpts: labelsOf(flags.opt), Labels: labels } });
    console.log(volume.Name);
    return 0;
  },
});
