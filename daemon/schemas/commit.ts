/** `POST /commit`'s optional body: a container config whose run settings go over the container's. */
import { z } from "zod";
import { keySet, stringMap, strings, strSlice } from "./common.ts";

export const commitBody = z
  .object({
    Hostname: z.string().optional(),
    Domainname: z.string().optional(),
    User: z.string().optional(),
    Env: strings.optional(),
    Cmd: strSlice.optional(),
    Entrypoint: strSlice.optional(),
    WorkingDir: z.string().optional(),
    ExposedPorts: keySet.optional(),
    Volumes: keySet.optional(),
    Labels: stringMap.optional(),
    StopSignal: z.string().optional(),
    OnBuild: strings.optional(),
  })
  .loose()
  .nullable();
