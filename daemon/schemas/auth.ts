/** The credentials clients send (docker-py sends null for what it lacks): `POST /auth`'s body and the X-Registry-Auth header (the same AuthConfig shape). */
import { z } from "zod";

export const authConfig = z
  .object({
    username: z.string().nullish(),
    password: z.string().nullish(),
    auth: z.string().nullish(),
    email: z.string().nullish(),
    serveraddress: z.string().nullish(),
    identitytoken: z.string().nullish(),
    registrytoken: z.string().nullish(),
  })
  .loose();

export type AuthConfig = z.infer<typeof authConfig>;
