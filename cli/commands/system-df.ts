import { humanSize } from "../../src/util/human.ts";
import { defineBunkerCommand } from "../command.ts";
import { renderTable } from "../render.ts";

interface DiskUsage {
  LayersSize: number;
  Images: { Containers: number; VirtualSize: number; SharedSize: number }[] | null;
  Containers: { State: string; SizeRw?: number }[] | null;
  Volumes: { UsageData: { Size: number; RefCount: number } }[] | null;
}

/** docker's RECLAIMABLE column: the size, with its share of the total when there is one. */
function reclaimable(bytes: number, total: number): string {
  const size = humanSize(bytes, 4);
  return total > 0 ? `${size} (${Math.floor((bytes * 100) / total)}%)` : size;
}

export default defineBunkerCommand({
  name: "df",
  description: "Show docker disk usage",
  usage: "[OPTIONS]",
  flags: {},
  operands: { min: 0, max: 0 },
  async run({ client }) {
    const usage = await client.json<DiskUsage>("GET", "/system/df");
    const images = usage.Images ?? [];
    const containers = usage.Containers ?? [];
    const volumes = usage.Volumes ?? [];
    // docker's arithmetic: what images with containers use is theirs; the rest of the layers could go.
    const usedByImages = images.filter((i) => i.Containers > 0).reduce((sum, i) => sum + i.VirtualSize - i.SharedSize, 0);
    const containerSize = containers.reduce((sum, c) => sum + (c.SizeRw ?? 0), 0);
    const stoppedSize = containers.filter((c) => c.State !== "running" && c.State !== "paused").reduce((sum, c) => sum + (c.SizeRw ?? 0), 0);
    const volumeSize = volumes.reduce((sum, v) => sum + v.UsageData.Size, 0);
    const unusedVolumes = volumes.filter((v) => v.UsageData.RefCount === 0).reduce((sum, v) => sum + v.UsageData.Size, 0);
    console.log(
      renderTable(
        ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"],
        [
          ["Images", String(images.length), String(images.filter((i) => i.Containers > 0).length), humanSize(usage.LayersSize, 4), reclaimable(usage.LayersSize - usedByImages, usage.LayersSize)],
          ["Containers", String(containers.length), String(containers.filter((c) => c.State === "running" || c.State === "paused").length), humanSize(containerSize, 4), reclaimable(stoppedSize, containerSize)],
          ["Local Volumes", String(volumes.length), String(volumes.filter((v) => v.UsageData.RefCount > 0).length), humanSize(volumeSize, 4), reclaimable(unusedVolumes, volumeSize)],
          ["Build Cache", "0", "0", "0B", "0B"],
        ],
      ),
    );
    return 0;
  },
});
