/** `POST /containers/create` for `create` and `run`, with docker's --cidfile and --env-file handling around it. */
import { ApiClient, ApiError } from "./client.ts";
import { pullImage } from "./pull-image.ts";
import { formatReference, parseReference } from "../src/image/reference.ts";
import { CidFile } from "./cidfile.ts";
import { createBody, type ContainerFlags } from "./container-config.ts";
import { readEnvFiles } from "./env-file.ts";

const PULL_POLICIES = ["always", "missing", "never"];

/**
 * Returns the new container's full ID. As the docker CLI does, a missing image is pulled
 * (its progress on stderr) and the create tried again; `--pull` says when.
 */
export async function createContainer(client: ApiClient, image: string, command: string[], flags: ContainerFlags, attach: boolean): Promise<string> {
  const policy = flags.pull ?? "missing";
  if (!PULL_POLICIES.includes(policy)) throw new Error(`invalid pull option: '${policy}': must be one of "always", "missing" or "never"`);
  if (policy === "always") await pullImage(client, image, { out: process.stderr });
  try {
    return await createOnce(client, image, command, flags, attach);
  } catch (error) {
    if (policy !== "missing" || !(error instanceof ApiError) || error.status !== 404 || !error.message.startsWith("No such image")) throw error;
    console.error(`Unable to find image '${displayName(image)}' locally`);
    await pullImage(client, image, { out: process.stderr });
    return createOnce(client, image, command, flags, attach);
  }
}

function displayName(image: string): string {
  try {
    return formatReference(parseReference(image));
  } catch {
    return image;
  }
}

async function createOnce(client: ApiClient, image: string, command: string[], flags: ContainerFlags, attach: boolean): Promise<string> {
  const consoleSize: [number, number] = flags.tty && process.stdout.isTTY ? [process.stdout.rows, process.stdout.columns] : [0, 0];
  const envFileEntries = readEnvFiles(flags["env-file"], process.env);
  const body = createBody(image, command, flags, { attach, consoleSize, environment: process.env, envFileEntries });
  // Claimed before creating anything: the file may belong to a container that is still running.
  const cidfile = flags.cidfile ? CidFile.claim(flags.cidfile) : undefined;
  let created;
  try {
    created = await client.json<{ Id: string; Warnings?: string[] | null }>("POST", "/containers/create", {
      query: { name: flags.name },
      json: body,
    });
  } catch (error) {
    cidfile?.abandon();
    throw error;
  }
  cidfile?.write(created.Id);
  for (const warning of created.Warnings ?? []) console.error(`WARNING: ${warning}`);
  return created.Id;
}
