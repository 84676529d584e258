/** Mount planning (precedence, parsing) and the volume store's crash reconciliation, without containers. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidArgumentError, NotFoundError } from "../../src/errors.ts";
import { launchMounts, planMounts } from "../../src/container/mounts.ts";
import type { ContainerRecord, MountPoint } from "../../src/container/record.ts";
import { VolumeStore } from "../../src/volume/store.ts";

let dir: string;
let volumes: VolumeStore;

beforeEach(() => {
  dir = mkdtempSync("/tmp/bunker-volumes-test-");
  volumes = new VolumeStore(dir);
  volumes.load();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function record(spec: { volumes?: string[]; binds?: string[]; volumesFrom?: string[]; mounts?: MountPoint[] }): ContainerRecord {
  return {
    Config: { Volumes: Object.fromEntries((spec.volumes ?? []).map((path) => [path, {}])) },
    HostConfig: { Binds: spec.binds ?? null, VolumesFrom: spec.volumesFrom ?? null },
    Mounts: spec.mounts ?? [],
  } as unknown as ContainerRecord;
}

function plan(spec: Parameters<typeof record>[0], others: Record<string, ContainerRecord> = {}): MountPoint[] {
  return planMounts(record(spec), {
    container: (ref) => {
      const found = others[ref];
      if (!found) throw new NotFoundError(`No such container: ${ref}`);
      return found;
    },
    volumes,
  });
}

describe("planMounts", () => {
  test("a new volume per -v path, a bind per host:path, normalized", () => {
    const mounts = plan({ volumes: ["/data/"], binds: ["/srv//www:/var/www:ro"] });
    expect(mounts).toHaveLength(2);
    const [volume, bind] = mounts;
    expect(volume).toMatchObject({ Type: "volume", Destination: "/data", Driver: "local", RW: true, Mode: "" });
    if (volume.Type !== "volume") throw new Error("not a volume");
    expect(volume.Source).toBe(join(dir, volume.Name, "_data"));
    expect(existsSync(volume.Source)).toBe(true);
    expect(bind).toEqual({ Type: "bind", Source: "/srv/www", Destination: "/var/www", Mode: "ro", RW: false, Propagation: "" });
  });

  test("a bind replaces a volume at the same path, which is then never made", () => {
    expect(plan({ volumes: ["/data"], binds: ["/host:/data"] })).toEqual([
      { Type: "bind", Source: "/host", Destination: "/data", Mode: "", RW: true, Propagation: "" },
    ]);
    expect(readdirSync(dir)).toEqual([]);
  });

  test("--volumes-from comes first, keeps or overrides the mode, and loses to the container's own paths", () => {
    const lender = record({});
    lender.Mounts = plan({ volumes: ["/a", "/b"], binds: ["/host:/c:ro"] });
    const mounts = plan({ volumesFrom: ["lender:rw"], binds: ["/mine:/b"] }, { lender });
    expect(mounts.map((m) => [m.Destination, m.Type, m.RW])).toEqual([
      ["/a", "volume", true],
      ["/b", "bind", true],
      ["/c", "bind", true],
    ]);
    expect(mounts[0]).toMatchObject({ Source: lender.Mounts[0].Source, Mode: "rw" });
    expect(plan({ volumesFrom: ["lender"] }, { lender }).find((m) => m.Destination === "/c")).toMatchObject({ RW: false, Mode: "ro" });
  });

  test("rejects what Docker rejects, before making any volume", () => {
    for (const binds of [["bad$name:/x"], ["/h:x"], ["/h:/"], ["/h:/x:rx"], ["/h:/proc/sys"], ["/h:/dev/shm"], ["/h:/x", "/g:/x/"], ["/h"]]) {
      expect(() => plan({ volumes: ["/v"], binds })).toThrow(InvalidArgumentError);
    }
    expect(() => plan({ volumesFrom: ["ghost"] })).toThrow(NotFoundError);
    expect(() => plan({ volumesFrom: ["a:b:c"] })).toThrow(InvalidArgumentError);
    expect(readdirSync(dir)).toEqual([]);
  });

  test("launchMounts asks stage 3 to seed a volume until it is marked seeded", () => {
    const mounts = plan({ volumes: ["/v"], binds: ["/h:/b:ro"] });
    expect(launchMounts(mounts, volumes).map((m) => [m.target, m.readonly, m.seed])).toEqual([["/v", false, true], ["/b", true, false]]);
    const volume = mounts[0];
    if (volume.Type !== "volume") throw new Error("not a volume");
    volumes.markSeeded(volume.Name);
    expect(launchMounts(mounts, volumes)[0].seed).toBe(false);
  });
});

describe("VolumeStore", () => {
  test("a restart drops half-made and half-removed volumes, re-records a volume without metadata, and keeps the rest", () => {
    const kept = volumes.create();
    volumes.markSeeded(kept.Name);
    const orphan = volumes.create();
    writeFileSync(join(volumes.dataPath(orphan.Name), "f"), "data");
    rmSync(join(dir, orphan.Name, "volume.json"));
    mkdirSync(join(dir, `.tmp-${"1".repeat(64)}`, "_data"), { recursive: true });
    mkdirSync(join(dir, `.removing-${"2".repeat(64)}`, "_data"), { recursive: true });
    mkdirSync(join(dir, "3".repeat(64)));

    const reopened = new VolumeStore(dir);
    reopened.load();
    expect(readdirSync(dir).sort()).toEqual([kept.Name, orphan.Name].sort());
    expect(reopened.get(kept.Name).Seeded).toBe(true);
    expect(reopened.get(orphan.Name).Seeded).toBe(true);
    expect(readFileSync(join(reopened.dataPath(orphan.Name), "f"), "utf8")).toBe("data");
    expect(() => reopened.get("3".repeat(64))).toThrow(NotFoundError);
  });

  test("remove deletes the volume and its data, and is idempotent", () => {
    const volume = volumes.create();
    volumes.remove(volume.Name);
    volumes.remove(volume.Name);
    expect(readdirSync(dir)).toEqual([]);
  });
});
