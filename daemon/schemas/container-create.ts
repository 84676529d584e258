/**
 * `POST /containers/create`'s body in the v1.41 shape: the container Config with a HostConfig.
 * Only fields bunker acts on are typed; the rest of Docker's many keys pass through unread
 * (an unknown key is no error in Docker either). Loose objects keep them for forward use.
 */
import { z } from "zod";
import { int, int64, runConfigFields, stringMap, strings } from "./common.ts";
import { resourceFields } from "./resources.ts";
import { networkingConfig } from "./network.ts";

const portBinding = z.object({ HostIp: z.string().optional().default(""), HostPort: z.string().optional().default("") }).loose();

const hostConfig = z
  .object({
    PortBindings: z.record(z.string(), z.array(portBinding).nullable()).nullable().optional(),
    PublishAllPorts: z.boolean().optional(),
    AutoRemove: z.boolean().optional(),
    NetworkMode: z.string().optional(),
    // The engine words an unknown policy name as Docker does.
    RestartPolicy: z.object({ Name: z.string().optional(), MaximumRetryCount: int.optional() }).loose().nullable().optional(),
    Dns: strings.optional(),
    ExtraHosts: strings.optional(),
    Binds: strings.optional(),
    VolumesFrom: strings.optional(),
    LogConfig: z.object({ Type: z.string().default(""), Config: stringMap.optional().transform((options) => options ?? {}) }).loose().nullable().optional(),
    ConsoleSize: z.tuple([z.int().min(0).max(65535), z.int().min(0).max(65535)]).nullable().optional(),
    ...resourceFields,
    Privileged: z.boolean().nullish(),
    CapAdd: strings.optional(),
    CapDrop: strings.optional(),
    SecurityOpt: strings.optional(),
    Devices: z.array(z.object({ PathOnHost: z.string(), PathInContainer: z.string().default(""), CgroupPermissions: z.string().default("rwm") }).loose()).nullish(),
    DeviceCgroupRules: strings.optional(),
    ReadonlyRootfs: z.boolean().nullish(),
    Tmpfs: stringMap.optional(),
    Ulimits: z.array(z.object({ Name: z.string(), Soft: int64, Hard: int64 }).loose()).nullish(),
    Sysctls: stringMap.optional(),
    ShmSize: int64.min(0).nullish(),
    GroupAdd: strings.optional(),
    CgroupnsMode: z.enum(["private", "host", ""], { error: (issue) => `invalid cgroup namespace mode: ${String(issue.input)}` }).nullish(),
    OomScoreAdj: int.nullish(),
    CgroupParent: z.string().nullish(),
    Mounts: z
      .array(
        z
          .object({
            Type: z.enum(["bind", "volume", "tmpfs"], { error: (issue) => `mount type ${String(issue.input)} is not supported (bind, volume, tmpfs)` }),
            Source: z.string().nullish(),
            Target: z.string(),
            ReadOnly: z.boolean().nullish(),
            TmpfsOptions: z.object({ SizeBytes: int64.nullish(), Mode: z.int().nullish() }).loose().nullish(),
          })
          .loose(),
      )
      .nullish(),
  })
  .loose();

export const createContainerBody = z
  .object({
    ...runConfigFields,
    Image: z.string().optional(),
    AttachStdin: z.boolean().optional(),
    AttachStdout: z.boolean().optional(),
    AttachStderr: z.boolean().optional(),
    Tty: z.boolean().optional(),
    OpenStdin: z.boolean().optional(),
    StdinOnce: z.boolean().optional(),
    StopTimeout: int.nullish().transform((seconds) => seconds ?? undefined),
    HostConfig: hostConfig.nullable().optional(),
    NetworkingConfig: networkingConfig.nullish(),
  })
  .loose();

export type CreateContainerBody = z.infer<typeof createContainerBody>;
