/**
 * Image references ("busybox", "foo/bar:1", "localhost:5000/a/b@sha256:..."), parsed with
 * Docker's grammar and reduced to Docker's short ("familiar") form, which is how bunker keys
 * its tags: "docker.io/library/busybox:latest" and "busybox" both become "busybox:latest".
 */
import { InvalidArgumentError } from "../errors.ts";

export interface ImageReference {
  /** The short repository name: "busybox", "foo/bar", "localhost:5000/foo/bar". */
  repo: string;
  /** Absent only for a digest reference given without a tag. */
  tag?: string;
  /** "sha256:<64 hex>" when the reference pinned a digest. */
  digest?: string;
}

export const DEFAULT_TAG = "latest";
const DEFAULT_DOMAIN = "docker.io";
const OFFICIAL_REPO_PREFIX = "library/";
const MAX_NAME_LENGTH = 255;

// Docker's distribution/reference grammar, spelled out piece by piece.
const ALPHANUMERIC = "[a-z0-9]+";
const SEPARATOR = "(?:[._]|__|-+)";
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const FULL_HEX_ID = /^[a-f0-9]{64}$/;
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
const ANCHORED_TAG = new RegExp(`^${TAG}$`);

/** Parses `s` like `docker pull` does; a reference with neither tag nor digest gets "latest". */
export function parseReference(s: string): ImageReference {
  const match = REFERENCE.exec(s);
  if (!match) {
    if (s === "") throw new InvalidArgumentError("invalid reference format: repository name must have at least one component");
    if (REFERENCE.test(s.toLowerCase())) throw new InvalidArgumentError("invalid reference format: repository name must be lowercase");
    throw new InvalidArgumentError("invalid reference format");
  }
  const [, name, tag, digest] = match;
  if (name.length > MAX_NAME_LENGTH) {
    throw new InvalidArgumentError(`invalid reference format: repository name must not be more than ${MAX_NAME_LENGTH} characters`);
  }
  // A bare 64-hex string is an image ID; accepting it as a name would let a tag shadow an ID.
  if (FULL_HEX_ID.test(s)) {
    throw new InvalidArgumentError(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  if (digest !== undefined && !SHA256_DIGEST.test(digest)) throw new InvalidArgumentError("invalid reference format: unsupported digest");
  const repo = familiarName(name);
  if (digest !== undefined) return tag === undefined ? { repo, digest } : { repo, tag, digest };
  return { repo, tag: tag ?? DEFAULT_TAG };
}

/** "repo:tag", "repo@digest" or "repo:tag@digest". */
export function formatReference(ref: ImageReference): string {
  return `${ref.repo}${ref.tag === undefined ? "" : `:${ref.tag}`}${ref.digest === undefined ? "" : `@${ref.digest}`}`;
}

/**
 * The "repo:tag" key a tag request names. The API sends both shapes: `docker tag` splits
 * `repo=docker.io/library/x&tag=1`, while `docker import` sends `repo=name:tag` and no tag.
 * An explicit tag wins over one inside `repo`, as in Docker.
 */
export function normalizeRepoTag(repo: string, tag?: string): { repo: string; tag: string } {
  const parsed = parseReference(repo);
  if (parsed.digest !== undefined) throw new InvalidArgumentError("refusing to create a tag with a digest reference");
  if (tag !== undefined && tag !== "") {
    if (!ANCHORED_TAG.test(tag)) throw new InvalidArgumentError(`invalid tag format: ${tag}`);
    return { repo: parsed.repo, tag };
  }
  return { repo: parsed.repo, tag: parsed.tag ?? DEFAULT_TAG };
}

/**
 * Docker's short form of a full name. The first component is a registry only when it looks
 * like a host ("." or ":" in it, or "localhost"); otherwise the name lives on Docker Hub.
 */
function familiarName(name: string): string {
  const slash = name.indexOf("/");
  const first = name.slice(0, slash);
  const hasDomain = slash !== -1 && (/[.:]/.test(first) || first === "localhost" || first.toLowerCase() !== first);
  const domain = !hasDomain || first === "index.docker.io" ? DEFAULT_DOMAIN : first;
  const remainder = hasDomain ? name.slice(slash + 1) : name;
  if (domain !== DEFAULT_DOMAIN) return `${domain}/${remainder}`;
  const isOfficial = remainder.startsWith(OFFICIAL_REPO_PREFIX) && !remainder.slice(OFFICIAL_REPO_PREFIX.length).includes("/");
  return isOfficial ? remainder.slice(OFFICIAL_REPO_PREFIX.length) : remainder;
}

/** Where a repository lives: its registry host and its path there. */
export interface RemoteRepository {
  /** "docker.io", "localhost:5000", "ghcr.io". */
  domain: string;
  /** The repository's name on that registry: "library/busybox", "bb", "a/b". */
  path: string;
}

/** Splits a short repository name ("busybox", "localhost:5000/bb") into registry host and path, as Docker does. */
export function remoteRepository(repo: string): RemoteRepository {
  const slash = repo.indexOf("/");
  const first = repo.slice(0, slash);
  if (slash !== -1 && (/[.:]/.test(first) || first === "localhost")) return { domain: first, path: repo.slice(slash + 1) };
  return { domain: DEFAULT_DOMAIN, path: repo.includes("/") ? repo : `${OFFICIAL_REPO_PREFIX}${repo}` };
}

/** The fully qualified name ("docker.io/library/busybox:latest") the docker CLI prints after a pull. */
export function qualifiedName(ref: ImageReference): string {
  const { domain, path } = remoteRepository(ref.repo);
  return formatReference({ ...ref, repo: `${domain}/${path}` });
}
