/**
 * Named volumes, next to a throw-away dockerd: `volume create|ls|inspect|rm|prune` print what
 * Docker prints, `-v NAME:/path` shares one volume between containers and keeps it after
 * `rm -v`, and a volume in use cannot be removed.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ok, run } from "./harness.ts";
import { sideBySide } from "./side-by-side-setup.ts";

const engines = sideBySide("named-volumes");

/** The docker CLI against each engine: [bunker's result, Docker's]. */
async function both(...args: string[]) {
  return [await run(["docker", ...args], { DOCKER_HOST: engines.bunker.host }), await run(["docker", ...args], { DOCKER_HOST: engines.dockerd.host })];
}

describe("volume commands", () => {
  test("create, ls and inspect print what Docker prints", async () => {
    const [created, dockerCreated] = await both("volume", "create", "--label", "team=a", "data1");
    expect(created.stdout).toBe("data1\n");
    expect(created.stdout).toBe(dockerCreated.stdout);
    const [listed, dockerListed] = await both("volume", "ls");
    expect(listed.stdout).toBe(dockerListed.stdout);
    expect(await ok(engines.bunker.bunker("volume", "ls"))).toBe(dockerListed.stdout);
    const [inspected, dockerInspected] = await both("volume", "inspect", "data1");
    const ours = JSON.parse(inspected.stdout)[0];
    const theirs = JSON.parse(dockerInspected.stdout)[0];
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    expect({ ...ours, CreatedAt: "", Mountpoint: "" }).toEqual({ ...theirs, CreatedAt: "", Mountpoint: "" });
    const [filtered, dockerFiltered] = await both("volume", "ls", "-q", "--filter", "label=team=a");
    expect(filtered.stdout).toBe("data1\n");
    expect(filtered.stdout).toBe(dockerFiltered.stdout);
  });

  test("-v NAME:/path: two containers share the volume; rm -v and --rm leave it", async () => {
    await ok(engines.bunker.bunker("run", "--rm", "-v", "shared:/data", "base", "sh", "-c", "echo kept > /data/f"));
    expect(await ok(engines.bunker.bunker("run", "--rm", "-v", "shared:/data:ro", "base", "cat", "/data/f"))).toBe("kept\n");
    const id = (await ok(engines.bunker.bunker("create", "-v", "shared:/data", "base", "true"))).trim();
    await ok(engines.bunker.bunker("rm", "-v", id));
    expect((await ok(engines.bunker.bunker("volume", "ls", "-q"))).split("\n")).toContain("shared");
  });

  test("--mount type=bind|volume|tmpfs, with bunker's CLI and the docker CLI; a missing bind source is refused as by Docker", async () => {
    const source = join(engines.bunker.dir, "mount-src");
    mkdirSync(source);
    writeFileSync(join(source, "f"), "from host\n");
    const script = "cat /b/f; touch /b/x 2>/dev/null || echo read-only; echo v > /v/f; grep -c ' /t tmpfs ' /proc/mounts";
    const mounts = ["--mount", `type=bind,source=${source},target=/b,readonly`, "--mount", "type=volume,src=mounted,dst=/v", "--mount", "type=tmpfs,target=/t,tmpfs-size=1m"];
    expect(await ok(engines.bunker.bunker("run", "--rm", ...mounts, "base", "sh", "-c", script))).toBe("from host\nread-only\n1\n");
    expect(await ok(run(["docker", "run", "--rm", ...mounts, "base", "sh", "-c", script], { DOCKER_HOST: engines.bunker.host }))).toBe("from host\nread-only\n1\n");
    expect(await ok(engines.bunker.bunker("run", "--rm", "--mount", "type=volume,src=mounted,dst=/v", "base", "cat", "/v/f"))).toBe("v\n");
    const [missing, dockerMissing] = await both("run", "--rm", "--mount", "type=bind,src=/nonexistent-src,dst=/x", "base", "true");
    expect(missing.stderr).toContain("bind source path does not exist: /nonexistent-src");
    expect(dockerMissing.stderr).toContain("bind source path does not exist: /nonexistent-src");
    await ok(engines.bunker.bunker("volume", "rm", "mounted"));
  });

  test("the local driver's options: a tmpfs volume and a bind of a host directory, mounted while in use; a bad key refused as by Docker", async () => {
    const script = "grep ' /s ' /proc/mounts | cut -d' ' -f3; echo in-volume > /s/f; cat /s/f";
    for (const engine of [engines.bunker, engines.dockerd]) {
      const docker = (...args: string[]) => ok(run(["docker", ...args], { DOCKER_HOST: engine.host }));
      await docker("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=8m,mode=0700", "scratch");
      expect(JSON.parse(await docker("volume", "inspect", "scratch"))[0].Options).toEqual({ type: "tmpfs", device: "tmpfs", o: "size=8m,mode=0700" });
      expect(await docker("run", "--rm", "-v", "scratch:/s", "base", "sh", "-c", script)).toBe("tmpfs\nin-volume\n");
      // Unmounted once the container is gone: what it wrote went with the tmpfs.
      expect(await docker("run", "--rm", "-v", "scratch:/s", "base", "sh", "-c", "cat /s/f 2>/dev/null || echo empty")).toBe("empty\n");
      await docker("volume", "rm", "scratch");
      const [bad] = [await run(["docker", "volume", "create", "-o", "bogus=1", "badopts"], { DOCKER_HOST: engine.host })];
      expect(bad.stderr).toBe('Error response from daemon: create badopts: invalid option: "bogus"\n');
    }
    const hostDir = join(engines.bunker.dir, "bound-dir");
    mkdirSync(hostDir);
    await ok(engines.bunker.bunker("volume", "create", "-o", "type=none", "-o", "o=bind", "-o", `device=${hostDir}`, "bound"));
    await ok(engines.bunker.bunker("run", "--rm", "-v", "bound:/s", "base", "sh", "-c", "echo through-the-bind > /s/g"));
    expect(await Bun.file(join(hostDir, "g")).text()).toBe("through-the-bind\n");
    const dataPath = JSON.parse(await ok(engines.bunker.bunker("volume", "inspect", "bound")))[0].Mountpoint;
    expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(` ${dataPath} `);
    await ok(engines.bunker.bunker("volume", "rm", "bound"));
  });

  test("a volume in use cannot be removed, with Docker's message; rm and prune print what Docker prints", async () => {
    for (const host of [engines.bunker.host, engines.dockerd.host]) {
      await ok(run(["docker", "volume", "create", "busy"], { DOCKER_HOST: host }));
      await ok(run(["docker", "create", "--name", "user", "-v", "busy:/b", "base", "true"], { DOCKER_HOST: host }));
    }
    const [refused, dockerRefused] = await both("volume", "rm", "busy");
    expect(refused.code).toBe(1);
    expect(refused.stderr.replace(/\[[0-9a-f]+\]/, "[ID]")).toBe(dockerRefused.stderr.replace(/\[[0-9a-f]+\]/, "[ID]"));
    await both("rm", "user");
    const [removed, dockerRemoved] = await both("volume", "rm", "busy");
    expect(removed.stdout).toBe("busy\n");
    expect(removed.stdout).toBe(dockerRemoved.stdout);
    await both("volume", "create", "unused");
    await ok(engines.bunker.bunker("volume", "rm", "shared")); // made on bunker only, by the test before
    const [pruned, dockerPruned] = await both("volume", "prune", "-f");
    expect(pruned.stdout).toContain("Deleted Volumes:\n");
    expect(pruned.stdout.split("\n").sort()).toEqual(dockerPruned.stdout.split("\n").sort());
    expect((await ok(engines.bunker.bunker("volume", "ls", "-q"))).trim()).toBe("");
  });
});
