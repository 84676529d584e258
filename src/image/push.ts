/**
 * `docker push`: each layer the registry lacks is compressed once and streamed up (POST,
 * PATCH, PUT) while it is hashed; a layer whose blob is already known (pulled or pushed
 * before) is only asked about (HEAD) or mounted from the repository that has it; then the
 * config, then a Docker schema 2 manifest whose exact bytes give the digest the registry
 * answers. Uploads run in parallel within the daemon's upload limit.
 */
import { createHash } from "node:crypto";
import { NotFoundError, UnauthorizedError, UpstreamError } from "../errors.ts";
import type { RegistryClient } from "../registry/client.ts";
import { DOCKER_CONFIG, DOCKER_LAYER_GZIP, DOCKER_MANIFEST, OCI_LAYER_GZIP } from "../registry/media-types.ts";
import type { Credentials, Descriptor, ProgressSink } from "../registry/types.ts";
import type { Distribution } from "./distribution.ts";
import { formatReference, remoteRepository } from "./reference.ts";
import { shortDigest } from "./pull.ts";
import { toWebStream } from "../util/web-stream.ts";
import { throttled } from "../util/throttle.ts";

const GZIP_TYPES = new Set([DOCKER_LAYER_GZIP, OCI_LAYER_GZIP]);

export interface PushedTag {
  tag: string;
  digest: string;
  size: number;
}

/** Pushes `repo:tag`, or every tag of `repo` when `tag` is undefined. */
export async function pushImage(dist: Distribution, repo: string, tag: string | undefined, credentials: Credentials, progress: ProgressSink): Promise<PushedTag[]> {
  try {
    return await pushTags(dist, repo, tag, credentials, progress);
  } catch (error) {
    // Not a 401: the docker CLI answers a 401 from the daemon by prompting for a login, and hangs without a terminal; dockerd says 500.
    if (error instanceof UnauthorizedError) throw new UpstreamError(`push access denied for ${repo}: ${error.message} (log in with 'docker login ${remoteRepository(repo).domain}')`);
    throw error;
  }
}

async function pushTags(dist: Distribution, repo: string, tag: string | undefined, credentials: Credentials, progress: ProgressSink): Promise<PushedTag[]> {
  const { domain, path } = remoteRepository(repo);
  const tags = tag !== undefined ? [tag] : tagsOf(dist, repo);
  if (tags.length === 0) throw new NotFoundError(`An image does not exist locally with the tag: ${repo}`);
  const images = tags.map((t) => {
    try {
      return { tag: t, image: dist.images.resolve(formatReference({ repo, tag: t })) };
    } catch {
      throw new NotFoundError(`An image does not exist locally with the tag: ${formatReference({ repo, tag: t })}`);
    }
  });
  const client = dist.client({ domain, path, credentials, actions: "pull,push" });
  await client.connect();
  progress({ status: `The push refers to repository [${domain}/${path}]` });
  const pushed: PushedTag[] = [];
  for (const { tag: t, image } of images) {
    const diffIds = image.config.rootfs.diff_ids;
    const unique = [...new Set(diffIds)];
    for (const diffId of [...unique].reverse()) progress({ id: shortDigest(diffId), status: "Preparing" });
    const blobs = new Map<string, Descriptor>();
    await Promise.all(
      unique.map(async (diffId) => {
        const report: ProgressSink = (event) => progress({ ...event, id: shortDigest(diffId) });
        if (!dist.uploads.available) report({ status: "Waiting" });
        blobs.set(diffId, await dist.uploads.run(() => pushLayer(dist, client, diffId, report)));
      }),
    );
    const configBytes = dist.images.configBytes(image.id);
    if (!(await client.hasBlob(image.id))) await client.upload(configBytes, () => image.id);
    const manifest = {
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: DOCKER_CONFIG, size: configBytes.length, digest: image.id },
      layers: diffIds.map((diffId) => blobs.get(diffId) as Descriptor),
    };
    // dockerd's own layout (Go's MarshalIndent with three spaces), so a manifest it pushed and ours read alike.
    const bytes = Buffer.from(JSON.stringify(manifest, null, 3));
    const digest = await client.putManifest(t, bytes, DOCKER_MANIFEST);
    dist.images.addRepoDigest(image.id, repo, digest);
    progress({ status: `${t}: digest: ${digest} size: ${bytes.length}` });
    progress({ status: "", aux: { Tag: t, Digest: digest, Size: bytes.length } });
    pushed.push({ tag: t, digest, size: bytes.length });
  }
  return pushed;
}

function tagsOf(dist: Distribution, repo: string): string[] {
  const prefix = `${repo}:`;
  return [...new Set(dist.images.list().flatMap((image) => image.repoTags))].filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length)).sort();
}

/** One layer to the registry: known there already, mounted from a sibling repository, or compressed and uploaded. */
async function pushLayer(dist: Distribution, client: RegistryClient, diffId: string, report: ProgressSink): Promise<Descriptor> {
  const { domain, path } = client.access;
  const known = dist.sources.get(diffId).filter((source) => GZIP_TYPES.has(source.mediaType));
  for (const source of known) {
    const descriptor = { mediaType: DOCKER_LAYER_GZIP, size: source.size, digest: source.digest };
    if (await client.hasBlob(source.digest)) {
      report({ status: "Layer already exists" });
      dist.sources.add(diffId, { ...source, domain, path });
      return descriptor;
    }
    if (source.domain === domain && source.path !== path && (await client.mount(source.digest, source.path))) {
      report({ status: `Mounted from ${source.path}` });
      dist.sources.add(diffId, { ...source, domain, path });
      return descriptor;
    }
  }
  const descriptor = await uploadCompressed(dist, client, diffId, report);
  dist.sources.add(diffId, { ...descriptor, domain, path });
  report({ status: "Pushed" });
  return descriptor;
}

/** gzip of the layer's exact tar, hashed and counted on its way up: compressed once, held nowhere. */
async function uploadCompressed(dist: Distribution, client: RegistryClient, diffId: string, report: ProgressSink): Promise<Descriptor> {
  const total = await dist.images.layers.tarSize(diffId);
  let read = 0;
  const pushing = throttled((current: number) => report({ status: "Pushing", progressDetail: { current, total } }));
  const tar = async function* () {
    for await (const chunk of dist.images.layers.tar(diffId)) {
      read += chunk.length;
      pushing(read);
      yield chunk;
    }
  };
  const hash = createHash("sha256");
  let size = 0;
  // Bun's native CompressionStream: several times node:zlib's speed.
  const gzip = toWebStream(tar()).pipeThrough(new CompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
  async function* compressed(): AsyncGenerator<Uint8Array> {
    for await (const chunk of gzip) {
      hash.update(chunk);
      size += chunk.length;
      yield chunk;
    }
  }
  // Pulled only as fast as the registry takes it; a failed upload cancels the compression and the tar read.
  const body = toWebStream(compressed());
  let digest = "";
  await client.upload(body, () => (digest ||= `sha256:${hash.digest("hex")}`));
  report({ status: "Pushing", progressDetail: { current: total, total } });
  return { mediaType: DOCKER_LAYER_GZIP, size, digest };
}
