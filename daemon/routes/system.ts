/** /_ping, /version and /info. */
import { Hono } from "hono";
import os from "node:os";
import { existsSync, readFileSync } from "node:fs";
import type { Engine } from "../../src/engine.ts";
import type { AppEnv } from "../app.ts";
import { API_VERSION, MIN_API_VERSION, VERSION } from "../version.ts";
import { buildCommit } from "../../src/util/build-info.ts";
import { securityOptionsInfo } from "../../src/security/privileges.ts";
import { listItem as imageListItem } from "../render/image.ts";
import { listItem } from "../render/container.ts";

function operatingSystem(): string {
  if (!existsSync("/etc/os-release")) return "linux";
  const line = readFileSync("/etc/os-release", "utf8").split("\n").find((l) => l.startsWith("PRETTY_NAME="));
  return line ? line.slice("PRETTY_NAME=".length).replace(/^"|"$/g, "") : "linux";
}

export function systemRoutes(engine: Engine): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const ping = (c: { header: (k: string, v: string) => void; body: (b: string | null) => Response }, body: string | null) => {
    c.header("Cache-Control", "no-cache, no-store, must-revalidate");
    c.header("Pragma", "no-cache");
    c.header("Content-Type", "text/plain; charset=utf-8");
    return c.body(body);
  };
  app.get("/_ping", (c) => ping(c, "OK"));
  app.on("HEAD", "/_ping", (c) => ping(c, null));

  app.get("/version", (c) => {
    const details = {
      ApiVersion: API_VERSION,
      Arch: "amd64",
      BuildTime: "",
      Experimental: "false",
      GitCommit: buildCommit(),
      GoVersion: `bun ${Bun.version}`,
      KernelVersion: os.release(),
      MinAPIVersion: MIN_API_VERSION,
      Os: "linux",
    };
    // Components' details are all strings; at the top level Experimental is a boolean.
    return c.json({
      Platform: { Name: "bunker" },
      Components: [{ Name: "Engine", Version: VERSION, Details: details }],
      Version: VERSION,
      ...details,
      Experimental: false,
    });
  });

  app.get("/system/df", async (c) => c.json(await diskUsage(engine)));

  app.get("/info", (c) => {
    const counts = engine.counts();
    return c.json({
      ID: engine.id,
      Containers: counts.containers,
      ContainersRunning: counts.running,
      ContainersPaused: counts.paused,
      ContainersStopped: counts.containers - counts.running - counts.paused,
      Images: counts.images,
      Driver: "overlay2",
      DriverStatus: [["Supports d_type", "true"]],
      Plugins: { Volume: ["local"], Network: ["null"], Authorization: null, Log: ["json-file"] },
      MemoryLimit: true,
      SwapLimit: engine.containers.cgroups.version === 2 || existsSync("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"),
      CpuCfsPeriod: true,
      CpuCfsQuota: true,
      CPUShares: true,
      CPUSet: true,
      PidsLimit: true,
      IPv4Forwarding: readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim() === "1",
      BridgeNfIptables: false,
      BridgeNfIp6tables: false,
      Debug: engine.options.debug,
      NFd: 0,
      OomKillDisable: engine.containers.cgroups.version === 1,
      NGoroutines: 0,
      SystemTime: new Date().toISOString(),
      LoggingDriver: "json-file",
      CgroupDriver: "cgroupfs",
      CgroupVersion: String(engine.containers.cgroups.version),
      NEventsListener: engine.events.subscriberCount,
      KernelVersion: os.release(),
      OperatingSystem: operatingSystem(),
      OSVersion: "",
      OSType: "linux",
      Architecture: os.machine(),
      IndexServerAddress: "https://index.docker.io/v1/",
      RegistryConfig: registryConfig(engine),
      NCPU: os.cpus().length,
      MemTotal: os.totalmem(),
      GenericResources: null,
      DockerRootDir: engine.options.root,
      HttpProxy: "",
      HttpsProxy: "",
      NoProxy: "",
      Name: os.hostname(),
      Labels: [],
      ExperimentalBuild: false,
      ServerVersion: VERSION,
      Runtimes: { bunker: { path: process.execPath } },
      DefaultRuntime: "bunker",
      Swarm: { NodeID: "", NodeAddr: "", LocalNodeState: "inactive", ControlAvailable: false, Error: "", RemoteManagers: null },
      LiveRestoreEnabled: true,
      Isolation: "",
      InitBinary: "",
      ContainerdCommit: { ID: "", Expected: "" },
      RuncCommit: { ID: "", Expected: "" },
      InitCommit: { ID: "", Expected: "" },
      SecurityOptions: [...securityOptionsInfo(), "name=cgroupns"],
      Warnings: engine.warnings(),
    });
  });
  return app;
}

/** `GET /system/df` in Docker's shape: the image and container list items with their sizes, and the volumes with their usage. */
async function diskUsage(engine: Engine) {
  const usage = await engine.diskUsage();
  return {
    LayersSize: usage.layersSize,
    Images: usage.images.map(({ image, containers }) => ({ ...imageListItem(image), Containers: containers, SharedSize: 0 })),
    Containers: usage.containers.map(({ record, SizeRw, SizeRootFs }) => listItem(record, engine.containers.networksOf(record), { SizeRw, SizeRootFs })),
    Volumes: usage.volumes.map(({ volume, size, refCount }) => ({
      CreatedAt: volume.CreatedAt,
      Driver: "local",
      Labels: null,
      Mountpoint: engine.volumeDataPath(volume.Name),
      Name: volume.Name,
      Options: null,
      Scope: "local",
      UsageData: { Size: size, RefCount: refCount },
    })),
    BuildCache: [],
  };
}

/**
 * `info`'s RegistryConfig as Docker shapes it: insecure CIDRs (loopback always), insecure
 * hostnames as IndexConfigs, and the mirrors; `docker info` lists them under Insecure Registries.
 */
function registryConfig(engine: Engine) {
  const options = engine.registryOptions;
  const cidrs = options.insecureRegistries.filter((entry) => /^[\d.]+\/\d+$/.test(entry));
  const names = options.insecureRegistries.filter((entry) => !cidrs.includes(entry));
  const index = (name: string, secure: boolean, official: boolean, mirrors: string[]) => ({ Name: name, Mirrors: mirrors, Secure: secure, Official: official });
  return {
    AllowNondistributableArtifactsCIDRs: [],
    AllowNondistributableArtifactsHostnames: [],
    InsecureRegistryCIDRs: [...cidrs, "127.0.0.0/8"],
    IndexConfigs: {
      "docker.io": index("docker.io", true, true, options.mirrors),
      ...Object.fromEntries(names.map((name) => [name, index(name, false, false, [])])),
    },
    Mirrors: options.mirrors,
  };
}
