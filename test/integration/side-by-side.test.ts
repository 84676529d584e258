/**
 * What clients see, next to a throw-away dockerd (Debian's docker.io) given the same image: the
 * keys of inspect's shapes, and everyday commands of the docker CLI that print the same.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Dockerd } from "../../bench/dockerd.ts";
import { run, TestDaemon } from "./harness.ts";

let bunker: TestDaemon;
const dockerd = new Dockerd();
/** Runs the docker CLI against each engine and returns [bunker's stdout, Docker's stdout]. */
async function both(...args: string[]): Promise<[string, string]> {
  const ours = await run(["docker", ...args], { DOCKER_HOST: bunker.host });
  const theirs = await run(["docker", ...args], { DOCKER_HOST: dockerd.host });
  if (ours.code !== theirs.code) throw new Error(`docker ${args.join(" ")}: bunker exits ${ours.code} (${ours.stderr}), Docker ${theirs.code} (${theirs.stderr})`);
  return [ours.stdout, theirs.stdout];
}

beforeAll(async () => {
  bunker = await TestDaemon.withBase("side-by-side");
  await dockerd.start();
  await dockerd.importBase();
  for (const host of [bunker.host, dockerd.host]) {
    await run(["docker", "tag", "base", "other:1"], { DOCKER_HOST: host });
    await run(["docker", "run", "--name", "done0", "--network", "none", "base", "true"], { DOCKER_HOST: host });
    await run(["docker", "run", "--name", "done1", "--network", "none", "base", "false"], { DOCKER_HOST: host });
    await run(["docker", "run", "--name", "labelled", "--label", "a=b", "--network", "none", "base", "true"], { DOCKER_HOST: host });
  }
}, 120_000);
afterAll(async () => {
  try {
    await bunker?.cleanup();
  } finally {
    await dockerd.stop();
  }
});

/** Keys of an object and of the objects under `nested`, as sorted lists. */
function shape(value: Record<string, unknown>, nested: string[]): Record<string, string[]> {
  const keys: Record<string, string[]> = { "": Object.keys(value).sort() };
  for (const key of nested) keys[key] = Object.keys((value[key] ?? {}) as object).sort();
  return keys;
}

describe("inspect", () => {
  test("a container's inspect (with -s) has Docker's keys, in HostConfig, Config, State and NetworkSettings too", async () => {
    const [ours, theirs] = await both("inspect", "-s", "done0");
    const nested = ["HostConfig", "Config", "State", "NetworkSettings", "GraphDriver"];
    expect(shape(JSON.parse(ours)[0], nested)).toEqual(shape(JSON.parse(theirs)[0], nested));
  });

  test("an image's inspect has Docker's keys, in Config and ContainerConfig too", async () => {
    const [ours, theirs] = await both("image", "inspect", "base");
    const nested = ["Config", "ContainerConfig", "RootFS", "Metadata"];
    expect(shape(JSON.parse(ours)[0], nested)).toEqual(shape(JSON.parse(theirs)[0], nested));
  });

  test("inspect -s prints the sizes Docker prints", async () => {
    const [ours, theirs] = await both("inspect", "-s", "--format", "{{.SizeRw}} {{.SizeRootFs}}", "done0");
    expect(ours).toBe(theirs);
  });

  test("import -c 'ENV A=b' gives the image that Env and no other, as Docker's", async () => {
    for (const host of [bunker.host, dockerd.host]) {
      const imported = await run(["docker", "import", "-c", "ENV A=b", join(bunker.dir, "busybox.tar"), "with-env"], { DOCKER_HOST: host });
      expect(imported.code).toBe(0);
    }
    const [ours, theirs] = await both("image", "inspect", "--format", "{{json .Config.Env}}", "with-env");
    expect(ours).toBe(theirs);
    expect(ours).toBe('["A=b"]\n');
  });

  test("templates over HostConfig and Config print the same", async () => {
    const format = "{{.HostConfig.Memory}} {{.HostConfig.Privileged}} {{.HostConfig.ShmSize}} {{.HostConfig.CpuShares}} {{.HostConfig.ReadonlyRootfs}} {{.Config.OnBuild}} {{.Config.Tty}} {{.State.ExitCode}}";
    const [ours, theirs] = await both("inspect", "--format", format, "done1");
    expect(ours).toBe(theirs);
  });
});

describe("filters", () => {
  test("ps --filter status=exited --filter label=a=b --format '{{.Names}}' prints what Docker prints, with either CLI", async () => {
    const args = ["ps", "--filter", "status=exited", "--filter", "label=a=b", "--format", "{{.Names}}"];
    const [ours, theirs] = await both(...args);
    expect(theirs).toBe("labelled\n");
    expect(ours).toBe(theirs);
    expect(await bunker.bunkerOk(...args)).toBe(theirs);
  });

  test("ps --format 'table …' aligns Docker's headers as Docker does", async () => {
    const [ours, theirs] = await both("ps", "-a", "--filter", "name=done", "--format", "table {{.Names}}\t{{.Image}}\t{{.Command}}\t{{.State}}");
    expect(await bunker.bunkerOk("ps", "-a", "--filter", "name=done", "--format", "table {{.Names}}\t{{.Image}}\t{{.Command}}\t{{.State}}")).toBe(theirs);
    expect(ours).toBe(theirs);
  });

  test("ps --filter ancestor=base --filter exited=0 lists what Docker lists", async () => {
    const [ours, theirs] = await both("ps", "-a", "--filter", "ancestor=base", "--filter", "exited=0", "--format", "{{.Names}} {{.Image}} {{.Command}} {{.State}}");
    expect(ours).toBe(theirs);
    expect(ours).toBe('labelled base "true" exited\ndone0 base "true" exited\n');
  });

  test("ps --filter exited=1 and status=exited, without -a", async () => {
    for (const filter of ["exited=1", "status=exited"]) {
      const [ours, theirs] = await both("ps", "--filter", filter, "--format", "{{.Names}}");
      expect(ours).toBe(theirs);
    }
  });

  test("ps -s shows the size with the virtual size", async () => {
    const [ours, theirs] = await both("ps", "-a", "-s", "--filter", "name=done0", "--format", "{{.Size}}");
    expect(ours).toBe(theirs);
    expect(ours).toMatch(/^0B \(virtual [\d.]+MB\)\n$/);
  });

  test("images --filter reference='base:*' and images NAME list only the matching tags", async () => {
    for (const args of [["images", "--filter", "reference=base:*"], ["images", "other"], ["images", "--filter", "reference=*:1"]]) {
      const [ours, theirs] = await both(...args, "--format", "{{.Repository}}:{{.Tag}}");
      expect(ours).toBe(theirs);
    }
  });

  test("image prune --filter label!= keeps a labelled dangling image; label= takes it", async () => {
    // A dangling image with a label: a labelled commit whose tag a second commit takes.
    for (const host of [bunker.host, dockerd.host]) {
      for (let i = 0; i < 2; i++) await run(["docker", "commit", "-c", "LABEL keep=yes", "-m", `commit ${i}`, "done0", "labelled:1"], { DOCKER_HOST: host });
    }
    const dangling = ["images", "--filter", "dangling=true", "--format", "{{.Repository}}:{{.Tag}}"];
    await both("image", "prune", "-f", "--filter", "label!=keep=yes");
    const [keptOurs, keptTheirs] = await both(...dangling);
    expect(keptOurs).toBe(keptTheirs);
    expect(keptOurs).toBe("<none>:<none>\n");
    await both("image", "prune", "-f", "--filter", "label=keep=yes");
    const [goneOurs, goneTheirs] = await both(...dangling);
    expect(goneOurs).toBe(goneTheirs);
    expect(goneOurs).toBe("");
  });
});
