/** `POST /containers/create` for `create` and `run`, with docker's --cidfile handling around it. */
import { existsSync } from "node:fs";
import { ApiClient } from "./client.ts";
import { createBody, type ContainerFlags } from "./container-config.ts";

/** Returns the new container's full ID. */
export async function createContainer(client: ApiClient, image: string, command: string[], flags: ContainerFlags, attach: boolean): Promise<string> {
  // Refuse before creating anything: the file may belong to a container that is still running.
  if (flags.cidfile && existsSync(flags.cidfile)) {
    throw new Error(`Container ID file found, make sure the other container isn't running or delete ${flags.cidfile}`);
  }
  const consoleSize: [number, number] = flags.tty && process.stdout.isTTY ? [process.stdout.rows, process.stdout.columns] : [0, 0];
  const body = createBody(image, command, flags, { attach, consoleSize, environment: process.env });
  const created = await client.json<{ Id: string; Warnings?: string[] | null }>("POST", "/containers/create", {
    query: { name: flags.name },
    json: body,
  });
  for (const warning of created.Warnings ?? []) console.error(`WARNING: ${warning}`);
  if (flags.cidfile) await Bun.write(flags.cidfile, created.Id);
  return created.Id;
}
