/**
 * `docker pull`: manifest (through an index to linux/amd64 when there is one), config, then
 * every missing layer at once within the daemon's download limit, each streamed from the
 * registry through its digest check and the inflater straight into its layer directory. A
 * layer is registered only once both its blob digest and its diff ID have been verified; the
 * image only once every layer is there; the tag last. Nothing half-pulled is ever registered.
 */
import { DigestMismatchError, NotFoundError, UnauthorizedError, UpstreamError } from "../errors.ts";
import type { RegistryClient } from "../registry/client.ts";
import { manifestMediaType, parseImageManifest, selectPlatform } from "../registry/manifest.ts";
import { isIndex } from "../registry/media-types.ts";
import type { Credentials, Descriptor, ProgressSink } from "../registry/types.ts";
import { sha256Digest, verified } from "../registry/verify.ts";
import type { Distribution } from "./distribution.ts";
import { formatReference, remoteRepository, type ImageReference } from "./reference.ts";
import { throttled } from "../util/throttle.ts";
import type { Image } from "./types.ts";

const MAX_CONFIG_BYTES = 8 << 20;
const ATTEMPTS = 3;
const RETRY_DELAY_MS = 1000;

export interface PullResult {
  image: Image;
  /** The digest of the manifest (or index) the reference named. */
  digest: string;
  /** The tag already pointed at this image before the pull. */
  upToDate: boolean;
}

/** Pulls one tag or digest and reports as Docker does ("Pulling fs layer" … "Pull complete", "Digest:", "Status:"). */
export async function pullImage(dist: Distribution, ref: ImageReference, credentials: Credentials, progress: ProgressSink): Promise<PullResult> {
  const { domain, path } = remoteRepository(ref.repo);
  let client = dist.client({ domain, path, credentials, actions: "pull", withMirrors: true });
  const reference = ref.digest ?? ref.tag ?? "latest";
  let named: NamedManifest;
  try {
    named = await fetchManifest(client, ref, reference);
  } catch (error) {
    // A mirror that lacks the image is no answer: the registry itself is asked, as by dockerd.
    if (!(error instanceof NotFoundError) || !(await client.onMirror())) throw error;
    client = dist.client({ domain, path, credentials, actions: "pull" });
    named = await fetchManifest(client, ref, reference);
  }
  progress({ id: reference, status: `Pulling from ${path}` });
  // An image already here (its config digest is its ID) needs nothing more, as in dockerd.
  const present = dist.images.has(named.manifest.config.digest);
  const configBytes = present ? dist.images.configBytes(named.manifest.config.digest) : await fetchConfig(client, named.manifest.config);
  const diffIds = diffIdsOf(configBytes, named.manifest.layers.length);
  const images = dist.images;
  dist.downloads.hold(diffIds);
  const fresh: string[] = [];
  try {
    await allSettledOrThrow(
      (present ? [] : named.manifest.layers).map(async (layer, i) => {
        const id = shortDigest(layer.digest);
        if (images.layers.has(diffIds[i])) return progress({ id, status: "Already exists", progressDetail: undefined });
        progress({ id, status: "Pulling fs layer" });
        await dist.downloads.fetch(diffIds[i], (event) => progress({ ...event, id }), async (report) => {
          if (await downloadLayer(dist, client, layer, diffIds[i], report)) fresh.push(diffIds[i]);
          dist.sources.add(diffIds[i], { digest: layer.digest, mediaType: layer.mediaType, size: layer.size, domain, path });
        });
        progress({ id, status: "Pull complete" });
      }),
    );
    const previous = ref.tag !== undefined && ref.digest === undefined ? tryResolve(dist, formatReference(ref)) : undefined;
    const image = images.createFromBytes(configBytes);
    if (ref.tag !== undefined && ref.digest === undefined) images.tag(image.id, ref.repo, ref.tag);
    images.addRepoDigest(image.id, ref.repo, named.digest);
    progress({ status: `Digest: ${named.digest}` });
    const upToDate = previous === image.id;
    const shown = ref.digest !== undefined ? `${ref.repo}@${ref.digest}` : formatReference(ref);
    progress({ status: upToDate ? `Status: Image is up to date for ${shown}` : `Status: Downloaded newer image for ${shown}` });
    return { image: images.get(image.id), digest: named.digest, upToDate };
  } finally {
    dist.downloads.release(diffIds);
    // Layers this pull brought in that no image ended up with (it failed), and no other pull still needs.
    for (const diffId of fresh) if (images.layerUsers(diffId) === 0 && !dist.downloads.isHeld(diffId)) images.layers.remove(diffId);
  }
}

/** Every tag of the repository, one after the other (`pull -a`). */
export async function pullAllTags(dist: Distribution, repo: string, credentials: Credentials, progress: ProgressSink): Promise<PullResult[]> {
  const { domain, path } = remoteRepository(repo);
  const tags = await dist.client({ domain, path, credentials, actions: "pull", withMirrors: true }).tags();
  if (tags.length === 0) throw new NotFoundError(`repository ${repo} has no tags`);
  const results: PullResult[] = [];
  for (const tag of tags.sort()) results.push(await pullImage(dist, { repo, tag }, credentials, progress));
  return results;
}

interface NamedManifest {
  digest: string;
  manifest: ReturnType<typeof parseImageManifest>;
}

/** The manifest the reference names, through an index when it is one; every digest on the way checked. */
async function fetchManifest(client: RegistryClient, ref: ImageReference, reference: string): Promise<NamedManifest> {
  let top;
  try {
    top = await client.manifest(reference);
  } catch (error) {
    throw await explainPullError(error, ref, client);
  }
  if (ref.digest !== undefined && top.digest !== ref.digest) throw new DigestMismatchError(`manifest verification failed for digest ${ref.digest} (got ${top.digest})`);
  const mediaType = manifestMediaType(top.bytes, top.mediaType);
  if (!isIndex(mediaType)) return { digest: top.digest, manifest: parseImageManifest(top.bytes, mediaType) };
  const entry = selectPlatform(top.bytes);
  const chosen = await client.manifest(entry.digest);
  if (chosen.digest !== entry.digest) throw new DigestMismatchError(`manifest verification failed for digest ${entry.digest} (got ${chosen.digest})`);
  return { digest: top.digest, manifest: parseImageManifest(chosen.bytes, manifestMediaType(chosen.bytes, chosen.mediaType || entry.mediaType)) };
}

/**
 * Docker's words for the failures users meet most. A missing manifest is told apart from a
 * missing repository (its tag list is missing too): the latter is what docker-py turns into
 * ImageNotFound.
 */
async function explainPullError(error: unknown, ref: ImageReference, client: RegistryClient): Promise<unknown> {
  const name = ref.digest !== undefined ? `${ref.repo}@${ref.digest}` : formatReference(ref);
  if (error instanceof NotFoundError) {
    const repositoryExists = await client.tags().then(() => true, (tagsError: unknown) => !(tagsError instanceof NotFoundError));
    if (!repositoryExists) return new NotFoundError(`pull access denied for ${ref.repo}, repository does not exist or may require 'docker login'`);
    return new NotFoundError(`manifest for ${name} not found: manifest unknown: manifest unknown`);
  }
  // Not a 401: the docker CLI answers a 401 from the daemon by prompting for a login, and hangs without a terminal; dockerd says 500.
  if (error instanceof UnauthorizedError) {
    return new UpstreamError(`pull access denied for ${ref.repo}, authentication required: ${error.message} (log in with 'docker login ${remoteRepository(ref.repo).domain}')`);
  }
  return error;
}

async function fetchConfig(client: RegistryClient, config: Descriptor): Promise<Buffer> {
  if (config.size > MAX_CONFIG_BYTES) throw new UpstreamError(`image config ${config.digest} is too big (${config.size} bytes)`);
  const chunks: Uint8Array[] = [];
  for await (const chunk of verified(await client.blob(config.digest), config.digest, config.size)) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  if (sha256Digest(bytes) !== config.digest) throw new DigestMismatchError(`image config verification failed for digest ${config.digest}`);
  return bytes;
}

function diffIdsOf(configBytes: Buffer, layerCount: number): string[] {
  let diffIds: unknown;
  try {
    diffIds = (JSON.parse(configBytes.toString("utf8")) as { rootfs?: { diff_ids?: unknown } }).rootfs?.diff_ids;
  } catch {
    throw new UpstreamError("invalid image config: not JSON");
  }
  if (!Array.isArray(diffIds) || !diffIds.every((d) => typeof d === "string" && /^sha256:[0-9a-f]{64}$/.test(d))) {
    throw new UpstreamError("invalid image config: rootfs.diff_ids must be a list of layer digests");
  }
  if (diffIds.length !== layerCount) throw new UpstreamError(`invalid image: the manifest has ${layerCount} layers, the config ${diffIds.length} diff IDs`);
  return diffIds as string[];
}

/** One layer: registry → digest check → inflate → extract, retried on network failure; true if it was registered fresh. */
async function downloadLayer(dist: Distribution, client: RegistryClient, layer: Descriptor, diffId: string, report: ProgressSink): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const downloading = throttled((current: number) => report({ status: "Downloading", progressDetail: { current, total: layer.size } }));
    try {
      const body = await client.blob(layer.digest);
      const bytes = verified(body, layer.digest, layer.size, (current) => downloading(current, current >= layer.size));
      const registered = await dist.images.layers.register(bytes, { whiteouts: "overlay", expectedDiffId: diffId });
      report({ status: "Verifying Checksum" });
      report({ status: "Download complete" });
      report({ status: "Extracting", progressDetail: { current: layer.size, total: layer.size } });
      return registered.fresh;
    } catch (error) {
      if (!(error instanceof UpstreamError) || error instanceof DigestMismatchError || attempt >= ATTEMPTS) throw error;
      report({ status: `Retrying in ${attempt} second${attempt === 1 ? "" : "s"}` });
      await Bun.sleep(RETRY_DELAY_MS * attempt);
    }
  }
}

/**
 * Waits for every download, then throws the first failure: a layer still arriving when
 * another failed must be registered (or dropped) before the pull cleans up after itself.
 */
async function allSettledOrThrow(work: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed) throw failed.reason;
}

function tryResolve(dist: Distribution, name: string): string | undefined {
  try {
    return dist.images.resolve(name).id;
  } catch {
    return undefined;
  }
}

export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}
