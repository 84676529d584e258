/** `POST /containers/{id}/exec` and `POST /exec/{id}/start` bodies (v1.41 ExecConfig, ExecStartConfig). */
import { z } from "zod";
import { strSlice, strings } from "./common.ts";

const consoleSize = z.tuple([z.int().min(0).max(65535), z.int().min(0).max(65535)]).nullish();

export const execCreateBody = z
  .object({
    AttachStdin: z.boolean().nullish(),
    AttachStdout: z.boolean().nullish(),
    AttachStderr: z.boolean().nullish(),
    Tty: z.boolean().nullish(),
    Env: strings.optional(),
    Cmd: strSlice.optional(),
    Privileged: z.boolean().nullish(),
    User: z.string().nullish(),
    WorkingDir: z.string().nullish(),
    DetachKeys: z.string().nullish(),
    ConsoleSize: consoleSize,
  })
  .loose();

export const execStartBody = z.object({ Detach: z.boolean().nullish(), Tty: z.boolean().nullish(), ConsoleSize: consoleSize }).loose().nullish();

/** The engine's ExecConfig from a checked body: absent and null are Docker's defaults. */
export function execConfig(body: z.infer<typeof execCreateBody>) {
  return {
    AttachStdin: body.AttachStdin ?? false,
    AttachStdout: body.AttachStdout ?? false,
    AttachStderr: body.AttachStderr ?? false,
    Tty: body.Tty ?? false,
    Env: body.Env ?? [],
    Cmd: body.Cmd ?? [],
    Privileged: body.Privileged ?? false,
    User: body.User ?? "",
    WorkingDir: body.WorkingDir ?? "",
    DetachKeys: body.DetachKeys ?? "",
    ConsoleSize: body.ConsoleSize ?? undefined,
  };
}
