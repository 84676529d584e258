/**
 * The build context: the tar the client sent, extracted once into a private directory (the
 * safe extractor: nothing in it can land outside), and the sources ADD and COPY name, looked
 * up inside it and never outside: no `../`, no symlink that leads out.
 */
import { createHash } from "node:crypto";
import { createReadStream, lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync } from "node:fs";
import { join, posix } from "node:path";
import { extractTar } from "../archive/tar-extract.ts";
import { InvalidArgumentError, NotFoundError } from "../errors.ts";

export class BuildContext {
  private constructor(readonly dir: string) {}

  /** A context already on disk (a git clone, a downloaded one). */
  static at(dir: string): BuildContext {
    return new BuildContext(realpathSync(dir));
  }

  static async extract(tar: AsyncIterable<Uint8Array>, dir: string): Promise<BuildContext> {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    await extractTar(tar, dir, { whiteouts: "none" });
    return new BuildContext(realpathSync(dir));
  }

  /** The host paths a source pattern names (`*`, `?` and `[…]` in its last part), each checked to stay inside. */
  resolve(source: string): string[] {
    const clean = posix.normalize(`/${source}`).slice(1);
    if (posix.normalize(source).startsWith("..")) throw new InvalidArgumentError(`Forbidden path outside the build context: ${source} ()`);
    const parent = posix.dirname(clean);
    const base = posix.basename(clean);
    let names: string[];
    if (/[*?[]/.test(base)) {
      const glob = new Bun.Glob(base);
      names = this.#list(parent).filter((name) => glob.match(name)).map((name) => posix.join(parent, name));
    } else {
      names = [clean];
    }
    const paths = names.map((name) => this.#inside(source, name === "" ? "." : name));
    if (paths.length === 0) throw new NotFoundError(`COPY failed: no source files were specified`);
    return paths;
  }

  #list(parent: string): string[] {
    try {
      return readdirSync(this.#inside(parent, parent)).sort();
    } catch {
      return [];
    }
  }

  #inside(source: string, name: string): string {
    const path = join(this.dir, name);
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      throw new NotFoundError(`COPY failed: file not found in build context or excluded by .dockerignore: stat ${source}: file does not exist`);
    }
    if (real !== this.dir && !real.startsWith(`${this.dir}/`)) throw new InvalidArgumentError(`Forbidden path outside the build context: ${source} (${real})`);
    return real;
  }
}

/** A COPY/ADD step's sources: the cache key, and a digest per file so a miss can say which one changed. */
export interface SourcesDigest {
  /** `file:<sha256>`, `dir:<sha256>` or `multi:<sha256>`. */
  key: string;
  /** "name/inside" → sha256 of its mode, size, link target and content. */
  files: Record<string, string>;
}

/**
 * The cache key of COPY/ADD sources, `file:`, `dir:` or `multi:` and a sha256 over what they
 * hold: names, modes, sizes, link targets and contents, never mtimes (touching a file keeps the
 * cache, as in Docker; chmod breaks it).
 */
export async function contentHash(paths: string[]): Promise<SourcesDigest> {
  const files: Record<string, string> = {};
  for (const path of paths) await hashTree(files, path, posix.basename(path));
  const hash = createHash("sha256");
  for (const [name, digest] of Object.entries(files)) hash.update(`${name}\0${digest}\0`);
  const kind = paths.length > 1 ? "multi" : lstatSync(paths[0]).isDirectory() ? "dir" : "file";
  return { key: `${kind}:${hash.digest("hex")}`, files };
}

async function hashTree(files: Record<string, string>, path: string, name: string): Promise<void> {
  const stat = lstatSync(path);
  const link = stat.isSymbolicLink() ? readlinkSync(path) : "";
  const hash = createHash("sha256").update(`${stat.mode}\0${stat.isFile() ? stat.size : 0}\0${link}\0`);
  if (stat.isFile()) {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  }
  files[name] = hash.digest("hex");
  if (stat.isDirectory()) {
    for (const child of readdirSync(path).sort()) await hashTree(files, join(path, child), `${name}/${child}`);
  }
}
