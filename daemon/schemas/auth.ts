/** The credentials clients send: `POST /auth`'s body and the X-Registry-Auth header (the same AuthConfig shape). */
import { z } from "zod";

export const authConfig = z
  .object({
    username: z.string().optional(),
    password: z.string().optional(),
    auth: z.string().optional(),
    email: z.string().optional(),
    serveraddress: z.string().optional(),
    identitytoken: z.string().optional(),
    registrytoken: z.string().optional(),
  })
  .loose();

export type AuthConfig = z.infer<typeof authConfig>;
