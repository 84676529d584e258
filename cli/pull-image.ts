/** A pull through the API with the user's stored credentials, drawn as docker draws it; shared by `pull`, `run` and `create`. */
import { parseReference, qualifiedName, remoteRepository, type ImageReference } from "../src/image/reference.ts";
import type { ApiClient } from "./client.ts";
import { registryAuthHeader } from "./docker-config.ts";
import { displayProgress, type Output } from "./progress.ts";

/** The query docker sends: the name, and the tag or digest separately (none for --all-tags). */
export async function pullImage(client: ApiClient, name: string, options: { allTags?: boolean; out: Output }): Promise<ImageReference> {
  const ref = parseReference(name);
  const response = await client.request("POST", "/images/create", {
    query: { fromImage: ref.repo, tag: options.allTags ? undefined : (ref.digest ?? ref.tag) },
    headers: { "X-Registry-Auth": registryAuthHeader(remoteRepository(ref.repo).domain) },
  });
  await displayProgress(response, options.out);
  return ref;
}

/** What the docker CLI prints last: the full name ("docker.io/library/busybox:latest"). */
export function pulledName(ref: ImageReference): string {
  return qualifiedName(ref.digest !== undefined ? { repo: ref.repo, digest: ref.digest } : ref);
}
