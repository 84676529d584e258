/**
 * The resource limits of a HostConfig, as `create` and `POST /containers/{id}/update` take them
 * (Docker's container.Resources). Null and absent mean "not set" (an update keeps the old value).
 */
import { z } from "zod";
import { int64 } from "./common.ts";

const throttleDevices = z.array(z.object({ Path: z.string(), Rate: int64.min(0) }).loose()).nullish();

export const resourceFields = {
  Memory: int64.min(0).nullish(),
  MemorySwap: int64.min(-1).nullish(),
  MemoryReservation: int64.min(0).nullish(),
  OomKillDisable: z.boolean().nullish(),
  CpuShares: int64.min(0).nullish(),
  NanoCpus: int64.nullish(),
  CpuPeriod: int64.min(0).nullish(),
  CpuQuota: int64.nullish(),
  CpusetCpus: z.string().nullish(),
  CpusetMems: z.string().nullish(),
  PidsLimit: int64.nullish(),
  BlkioWeight: z.int().min(0).max(65535).nullish(),
  BlkioDeviceReadBps: throttleDevices,
  BlkioDeviceWriteBps: throttleDevices,
};

/** `POST /containers/{id}/update`: the limits, and a restart policy (which Docker also takes here). */
export const updateContainerBody = z
  .object({ ...resourceFields, RestartPolicy: z.object({ Name: z.string().optional(), MaximumRetryCount: z.int().optional() }).loose().nullish() })
  .loose();
