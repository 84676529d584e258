/** The /networks bodies (v1.41) and a container's EndpointSettings, which create and connect share. */
import { z } from "zod";
import { stringMap, strings } from "./common.ts";

export const endpointSettings = z
  .object({
    Aliases: strings.optional(),
    IPAMConfig: z.object({ IPv4Address: z.string().nullish() }).loose().nullish(),
  })
  .loose();

/** `NetworkingConfig` of `POST /containers/create`. */
export const networkingConfig = z.object({ EndpointsConfig: z.record(z.string(), endpointSettings.nullable()).nullish() }).loose();

const ipamConfig = z.object({ Subnet: z.string().nullish(), Gateway: z.string().nullish(), IPRange: z.string().nullish() }).loose();

export const createNetworkBody = z
  .object({
    Name: z.string().min(1, "network name is required"),
    CheckDuplicate: z.boolean().nullish(),
    Driver: z.string().nullish(),
    Internal: z.boolean().nullish(),
    Attachable: z.boolean().nullish(),
    Ingress: z.boolean().nullish(),
    EnableIPv6: z.boolean().nullish(),
    IPAM: z.object({ Driver: z.string().nullish(), Config: z.array(ipamConfig).nullish(), Options: stringMap.optional() }).loose().nullish(),
    Options: stringMap.optional(),
    Labels: stringMap.optional(),
  })
  .loose();

export const connectBody = z.object({ Container: z.string().min(1, "a container is required"), EndpointConfig: endpointSettings.nullish() }).loose();

export const disconnectBody = z.object({ Container: z.string().min(1, "a container is required"), Force: z.boolean().nullish() }).loose();
