/**
 * The legacy (non-BuildKit) builder: a Dockerfile's instructions run one after the other, each
 * producing an image on the one before. Metadata instructions make a config-only image; RUN
 * runs in a real container (the normal start path, its output streamed into the build) that is
 * then committed; ADD and COPY add a layer made from the context. Before any of that, Docker's
 * cache rule: a step hits when an image built here on the same parent has the same run config
 * with the step's key as its Cmd (the key is kept in the image's `container_config`).
 */
import { chmodSync, closeSync, cpSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import { extractTar } from "../archive/tar-extract.ts";
import { join, posix } from "node:path";
import { randomBytes } from "node:crypto";
import { EngineError, InvalidArgumentError } from "../errors.ts";
import { applyChanges, words as splitWords } from "../image/changes.ts";
import type { ImageStore } from "../image/image-store.ts";
import type { HistoryEntry, Image, ImageConfig, RunConfig } from "../image/types.ts";
import { packTree } from "../archive/pack-tree.ts";
import { resolveInRoot, cleanComponents } from "../archive/scoped-path.ts";
import { shortId } from "../util/ids.ts";
import { DEFAULT_PATH, type CreateRequest } from "../container/create-config.ts";
import { contentHash, type BuildContext } from "./context.ts";
import { parseDockerfile, type Instruction } from "./dockerfile.ts";
import { expandVariables } from "./expand.ts";
import type { CacheNotes } from "./cache-notes.ts";
import type { Credentials } from "../registry/types.ts";
import { explainMiss } from "./explain-cache.ts";

/** A step that failed the build (Docker's wording); its `code` is what the CLI exits with. */
export class BuildError extends EngineError {
  override name = "BuildError";
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

export interface BuildOptions {
  tags: string[];
  dockerfile: string;
  buildArgs: Record<string, string | null>;
  labels: Record<string, string>;
  noCache: boolean;
  /** Remove intermediate containers after a successful step (default), or always (`forceRm`). */
  rm: boolean;
  forceRm: boolean;
  target?: string;
  networkMode?: string;
  /** `--add-host` entries for RUN containers ("host:ip"). */
  extraHosts?: string[];
  /** `--pull`: FROM images are pulled even when present. */
  pull?: boolean;
  /** Say why each step that runs missed the cache (bunker's own; Docker says nothing). */
  explainCache?: boolean;
  /** Registry host → credentials, for FROM images that must be pulled (X-Registry-Config). */
  credentials?: Record<string, Credentials>;
  quiet: boolean;
}

/** What the builder needs of the engine; the engine supplies it (see engine.ts). */
export interface BuildBackend {
  images: ImageStore;
  tmpDir: string;
  layersDir: string;
  /** The image a FROM names, pulled when it is not here (or always, with `pull`). */
  imageFor(name: string, say: (text: string) => void, options: { pull?: boolean; credentials?: Record<string, Credentials> }): Promise<Image>;
  /** Creates and starts a container, streams its output, and returns its ID and exit code. */
  run(request: CreateRequest, created: (id: string) => void, output: (chunk: Uint8Array) => void): Promise<{ id: string; code: number }>;
  commit(containerId: string, build: { config: RunConfig; containerConfig: RunConfig; createdBy: string }): Promise<Image>;
  remove(containerId: string): Promise<void>;
  /** Runs `use` with an image's root filesystem mounted read-only (COPY --from). */
  withImageRoot<T>(image: Image, use: (root: string) => Promise<T>): Promise<T>;
  /** Registers a layer from a tar stream and returns its diff ID. */
  addLayer(tar: AsyncIterable<Uint8Array>): Promise<string>;
  /** The per-file digests of COPY/ADD steps, for explaining misses. */
  notes: CacheNotes;
}

export interface BuildOutput {
  /** Text for the build stream (`{"stream": …}`). */
  say(text: string): void;
  /** The finished image's ID, before "Successfully built" (`{"aux": {"ID": …}}`). */
  built(id: string): void;
  /** With `explainCache`: why a step is about to run rather than come from the cache. */
  missed?(reason: string): void;
}

/** Predefined args that need no ARG line and never count as unused (proxies). */
const PREDEFINED_ARGS = new Set(["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"]);
const DEFAULT_SHELL = ["/bin/sh", "-c"];
/** Instructions whose arguments get variable substitution (RUN, CMD and ENTRYPOINT leave it to the shell). */
const EXPANDED = new Set(["ADD", "COPY", "ENV", "EXPOSE", "FROM", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR", "ARG"]);
const METADATA = new Set(["ARG", "CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "USER", "VOLUME", "WORKDIR", "STOPSIGNAL", "ONBUILD", "MAINTAINER", "SHELL", "HEALTHCHECK"]);

interface Stage {
  name?: string;
  image?: Image;
  config: ImageConfig;
  run: RunConfig;
  /** ARGs declared in this stage, with their values. */
  args: Map<string, string>;
  /** A CMD was given in this stage (a later ENTRYPOINT keeps it). */
  cmdSet: boolean;
}

export async function build(backend: BuildBackend, context: BuildContext, options: BuildOptions, out: BuildOutput): Promise<Image> {
  const dockerfilePath = context.resolve(options.dockerfile)[0];
  const dockerfile = parseDockerfile(await Bun.file(dockerfilePath).text());
  const instructions = [...dockerfile.instructions];
  if (Object.keys(options.labels).length > 0) {
    const text = Object.entries(options.labels).map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(" ");
    instructions.push({ keyword: "LABEL", flags: {}, args: text, original: `LABEL ${text}`, line: 0 });
  }
  if (instructions[0]?.keyword !== "FROM" && instructions[0]?.keyword !== "ARG") throw new BuildError("Please provide a source image with `from` prior to commit");
  const builder = new Builder(backend, context, options, out, dockerfile.escape);
  return builder.runAll(instructions);
}

class Builder {
  readonly #stages: Stage[] = [];
  readonly #metaArgs = new Map<string, string>();
  readonly #usedArgs = new Set<string>();
  #cacheBusted = false;
  #stage: Stage | undefined;

  constructor(
    private readonly backend: BuildBackend,
    private readonly context: BuildContext,
    private readonly options: BuildOptions,
    private readonly out: BuildOutput,
    private readonly escape: string,
  ) {}

  async runAll(instructions: Instruction[]): Promise<Image> {
    const total = instructions.length;
    for (const [i, instruction] of instructions.entries()) {
      if (instruction.keyword === "FROM" && this.options.target !== undefined && this.#stage?.name === this.options.target) break;
      this.out.say(`Step ${i + 1}/${total} : ${instruction.original}\n`);
      await this.#step(instruction);
    }
    if (this.options.target !== undefined && this.#stages.every((stage) => stage.name !== this.options.target)) {
      throw new BuildError(`failed to reach build target ${this.options.target} in Dockerfile`);
    }
    const stage = this.#current();
    const image = stage.image;
    if (!image) throw new BuildError("No image was generated. Is your Dockerfile empty?");
    const unused = Object.keys(this.options.buildArgs).filter((name) => !this.#usedArgs.has(name) && !PREDEFINED_ARGS.has(name));
    if (unused.length > 0) this.out.say(`[Warning] One or more build-args [${unused.join(" ")}] were not consumed\n`);
    this.out.built(image.id);
    this.out.say(`Successfully built ${shortId(image.id)}\n`);
    for (const tag of this.options.tags) {
      const name = this.backend.images.tag(image.id, tag);
      this.out.say(`Successfully tagged ${name}\n`);
    }
    return this.backend.images.get(image.id);
  }

  #current(): Stage {
    if (!this.#stage) throw new BuildError("Please provide a source image with `from` prior to commit");
    return this.#stage;
  }

  /** The variables an instruction sees: the stage's ENV, then its ARGs (ENV wins), as in Docker. */
  #environment(stage: Stage | undefined): Map<string, string> {
    const env = new Map<string, string>(stage ? stage.args : this.#metaArgs);
    for (const entry of stage?.run.Env ?? []) {
      const eq = entry.indexOf("=");
      if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
    }
    return env;
  }

  async #step(instruction: Instruction): Promise<void> {
    const args = EXPANDED.has(instruction.keyword) ? expandVariables(instruction.args, this.#environment(this.#stage), this.escape) : instruction.args;
    switch (instruction.keyword) {
      case "FROM":
        return this.#from(args);
      case "ARG":
        this.#arg(args);
        // Before the first FROM an ARG only sets a default for FROM lines; inside a stage it is a step of its own.
        if (this.#stage) return this.#metadata(instruction, args);
        return;
      case "RUN":
        return this.#run(instruction);
      case "COPY":
      case "ADD":
        return this.#copy(instruction, args);
      default:
        if (!METADATA.has(instruction.keyword)) throw new BuildError(`Unknown instruction: ${instruction.keyword}`);
        return this.#metadata(instruction, args);
    }
  }

  async #from(args: string): Promise<void> {
    const [name, as, stageName, ...rest] = args.split(/\s+/);
    if (!name || (as !== undefined && (as.toLowerCase() !== "as" || !stageName || rest.length > 0))) throw new BuildError("FROM requires either one or three arguments");
    const earlier = this.#stages.find((stage) => stage.name === name.toLowerCase());
    let image: Image | undefined;
    if (earlier) image = earlier.image;
    else if (name !== "scratch") image = await this.backend.imageFor(name, (text) => this.out.say(text), { pull: this.options.pull, credentials: this.options.credentials });
    const config: ImageConfig = image
      ? structuredClone(image.config)
      : { architecture: "amd64", os: "linux", created: new Date().toISOString(), config: {}, rootfs: { type: "layers", diff_ids: [] }, history: [] };
    const stage: Stage = { name: stageName?.toLowerCase(), image, config, run: structuredClone(config.config), args: new Map(), cmdSet: false };
    // As moby's beginStage: a stage whose base sets no PATH gets the default one.
    if (!(stage.run.Env ?? []).some((entry) => entry.startsWith("PATH="))) stage.run.Env = [...(stage.run.Env ?? []), DEFAULT_PATH];
    this.#stages.push(stage);
    this.#stage = stage;
    this.#cacheBusted = false;
    if (image) this.out.say(` ---> ${shortId(image.id)}\n`);
    // ONBUILD triggers of the base run now, in this build, and the new image does not inherit them.
    const triggers = stage.run.OnBuild ?? [];
    stage.run.OnBuild = null;
    for (const trigger of triggers) {
      const [parsed] = parseDockerfile(trigger).instructions;
      this.out.say(`# Executing ${triggers.length} build trigger${triggers.length === 1 ? "" : "s"}\n`);
      await this.#step(parsed);
    }
  }

  #arg(args: string): void {
    const [name, ...value] = args.split("=");
    if (!name) throw new BuildError("ARG requires exactly one argument");
    const given = Object.hasOwn(this.options.buildArgs, name) ? this.options.buildArgs[name] : undefined;
    const resolved = given ?? (value.length > 0 ? value.join("=").replace(/^"(.*)"$/, "$1") : undefined);
    if (Object.hasOwn(this.options.buildArgs, name)) this.#usedArgs.add(name);
    const target = this.#stage ? this.#stage.args : this.#metaArgs;
    // An ARG before FROM is only a default for FROM lines, and for a stage that declares it again.
    const inherited = this.#stage && resolved === undefined ? this.#metaArgs.get(name) : undefined;
    const final = resolved ?? inherited;
    if (final !== undefined) target.set(name, final);
    else target.delete(name);
  }

  /** Build args in effect for a RUN: those declared, as `K=V`, sorted (part of the cache key, `|N K=V …`). */
  #runArgs(stage: Stage): string[] {
    const names = [...stage.args.keys()].filter((name) => !(stage.run.Env ?? []).some((entry) => entry.startsWith(`${name}=`)));
    for (const name of Object.keys(this.options.buildArgs)) if (PREDEFINED_ARGS.has(name) && !names.includes(name)) names.push(name);
    return names.sort().map((name) => `${name}=${stage.args.get(name) ?? this.options.buildArgs[name] ?? ""}`);
  }

  async #run(instruction: Instruction): Promise<void> {
    const stage = this.#current();
    if (!stage.image) throw new BuildError("Please provide a source image with `from` prior to run");
    const shell = stage.run.Shell ?? DEFAULT_SHELL;
    const command = instruction.json ?? [...shell, instruction.args];
    const buildArgs = this.#runArgs(stage);
    const key = buildArgs.length > 0 ? [`|${buildArgs.length}`, ...buildArgs, ...command] : command;
    const probe: RunConfig = { ...stage.run, Cmd: key };
    if (await this.#fromCache(stage, probe)) return;
    const { id, code } = await this.backend.run(
      {
        Image: stage.image.id,
        Cmd: command,
        Entrypoint: [],
        Env: [...(stage.run.Env ?? []), ...buildArgs],
        WorkingDir: stage.run.WorkingDir,
        User: stage.run.User,
        Labels: stage.run.Labels,
        HostConfig: { NetworkMode: this.options.networkMode || undefined, ExtraHosts: this.options.extraHosts },
      },
      (containerId) => this.out.say(` ---> Running in ${shortId(containerId)}\n`),
      (chunk) => this.out.say(Buffer.from(chunk).toString("utf8")),
    );
    if (code !== 0) {
      if (this.options.rm || this.options.forceRm) await this.backend.remove(id);
      throw new BuildError(`The command '${command.join(" ")}' returned a non-zero code: ${code}`, code);
    }
    const image = await this.backend.commit(id, { config: { ...stage.run, Image: stage.image.id }, containerConfig: probe, createdBy: key.join(" ") });
    if (this.options.rm || this.options.forceRm) {
      await this.backend.remove(id);
      this.out.say(`Removing intermediate container ${shortId(id)}\n`);
    }
    this.#advance(stage, image);
  }

  async #copy(instruction: Instruction, args: string): Promise<void> {
    const stage = this.#current();
    const words = instruction.json ?? splitWords(args);
    if (words.length < 2) throw new BuildError(`${instruction.keyword} requires at least two arguments, but only one was provided. Destination could not be determined.`);
    const dest = words.at(-1) as string;
    const sources = words.slice(0, -1);
    const from = instruction.flags.from;
    const chown = instruction.flags.chown;
    const urls = instruction.keyword === "ADD" ? sources.filter((source) => /^https?:\/\//.test(source)) : [];
    const local = sources.filter((source) => !urls.includes(source));
    const work = join(this.backend.tmpDir, `build-layer-${randomBytes(6).toString("hex")}`);
    // The key comes from hashing the sources where they are; they are copied only on a miss.
    const step = async (root: string, fromImage: boolean) => {
      const paths = fromImage ? local.map((source) => resolveInRoot(root, cleanComponents(source))) : local.flatMap((source) => this.context.resolve(source));
      // ADD of a URL: downloaded each build, and its content is the key (as Docker does).
      const downloads = await Promise.all(urls.map((url, i) => download(url, join(work, "downloads", String(i)))));
      const chownText = chown ? `--chown=${chown} ` : "";
      const digest = await contentHash([...paths, ...downloads]);
      const key = [...DEFAULT_SHELL, `#(nop) ${instruction.keyword} ${chownText}${digest.key} in ${dest} `];
      const probe: RunConfig = { ...stage.run, Cmd: key };
      if (await this.#fromCache(stage, probe, stage.run, digest.files)) return;
      const layer = join(work, "layer");
      const toDirectory = dest.endsWith("/") || sources.length > 1;
      // ADD unpacks a local archive (tar, gzip, bzip2, xz); COPY, a URL, and anything from another stage are copied as they are.
      await stageFiles([...paths, ...downloads], posix.resolve(stage.run.WorkingDir || "/", dest), toDirectory, layer, instruction.keyword === "ADD" && !fromImage, new Set(downloads));
      const owner = chown ? await this.#owner(stage, chown) : { uid: 0, gid: 0 };
      const diffId = await this.backend.addLayer(packTree(layer, { owner }) as AsyncIterable<Uint8Array>);
      const image = this.#createImage(stage, stage.run, probe, key.join(" "), [...stage.config.rootfs.diff_ids, diffId], false);
      this.backend.notes.write(image.id, digest.files);
      this.#advance(stage, image);
    };
    try {
      return await (from !== undefined ? this.#withStageRoot(from, (root) => step(root, true)) : step(this.context.dir, false));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  /** `--chown=user[:group]`: numbers as they are, names looked up in the stage's own /etc/passwd and /etc/group. */
  async #owner(stage: Stage, spec: string): Promise<{ uid: number; gid: number }> {
    const [user, group] = spec.split(":", 2);
    const numeric = (text: string) => (/^\d+$/.test(text) ? Number(text) : undefined);
    if (numeric(user) !== undefined && (group === undefined || numeric(group) !== undefined)) {
      return { uid: numeric(user) as number, gid: group === undefined ? (numeric(user) as number) : (numeric(group) as number) };
    }
    if (!stage.image) throw new BuildError(`unable to convert uid/gid chown string to host mapping: no image to look up ${spec} in`);
    return this.backend.withImageRoot(stage.image, async (root) => {
      const lookup = (file: string, name: string, field: number) => {
        const line = readLines(resolveInRoot(root, cleanComponents(file))).find((entry) => entry.split(":")[0] === name);
        if (!line) throw new BuildError(`unable to convert uid/gid chown string to host mapping: can't find uid for user ${name}: no such user: ${name}`);
        return Number(line.split(":")[field]);
      };
      const uid = numeric(user) ?? lookup("/etc/passwd", user, 2);
      const gid = group === undefined ? (numeric(user) === undefined ? lookup("/etc/passwd", user, 3) : uid) : (numeric(group) ?? lookup("/etc/group", group, 2));
      return { uid, gid };
    });
  }

  /** The COPY --from source: an earlier stage by name or index, or any image. */
  async #withStageRoot<T>(from: string, use: (root: string) => Promise<T>): Promise<T> {
    const stage = /^\d+$/.test(from) ? this.#stages[Number(from)] : this.#stages.find((s) => s.name === from.toLowerCase());
    const image = stage ? stage.image : await this.backend.imageFor(from, (text) => this.out.say(text), { credentials: this.options.credentials });
    if (!image) throw new BuildError(`COPY --from=${from}: the stage has no filesystem (scratch)`);
    return this.backend.withImageRoot(image, use);
  }

  async #metadata(instruction: Instruction, args: string): Promise<void> {
    const stage = this.#current();
    let run: RunConfig;
    try {
      run = this.#applyMetadata(stage, instruction, args);
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw new BuildError(`${instruction.keyword} ${error.message}`);
      throw error;
    }
    if (instruction.keyword === "MAINTAINER") stage.config.author = args;
    const key = [...DEFAULT_SHELL, `#(nop)  ${instruction.keyword} ${metadataText(instruction, run, args)}`];
    const probe: RunConfig = { ...run, Cmd: key };
    if (await this.#fromCache(stage, probe, run)) return;
    this.#advance(stage, this.#createImage(stage, run, probe, key.join(" "), stage.config.rootfs.diff_ids, true), run);
  }

  #applyMetadata(stage: Stage, instruction: Instruction, args: string): RunConfig {
    const base = stage.run;
    if (instruction.keyword === "CMD") stage.cmdSet = true;
    switch (instruction.keyword) {
      case "MAINTAINER":
      case "ARG":
        return { ...base };
      case "SHELL":
        if (!instruction.json) throw new InvalidArgumentError("requires the arguments to be in JSON form");
        return { ...base, Shell: instruction.json };
      case "HEALTHCHECK":
        return { ...base, Healthcheck: healthcheck(instruction) } as RunConfig;
      case "CMD":
        return { ...base, Cmd: instruction.json ?? [...(base.Shell ?? DEFAULT_SHELL), instruction.args] };
      case "ENTRYPOINT":
        // A CMD inherited from the base image does not survive a new ENTRYPOINT; one set in this stage does.
        return { ...base, Entrypoint: instruction.json ?? [...(base.Shell ?? DEFAULT_SHELL), instruction.args], ...(stage.cmdSet ? {} : { Cmd: null }) };
      default:
        return applyChanges(base, [`${instruction.keyword} ${args}`]);
    }
  }

  /** A step's image from the cache, if one was built here before with the same parent and the same run config. */
  async #fromCache(stage: Stage, probe: RunConfig, run: RunConfig = stage.run, files?: Record<string, string>): Promise<boolean> {
    if (this.options.noCache) return false;
    const images = this.backend.images;
    const parentId = stage.image?.id;
    const children = parentId ? images.children(parentId) : images.list().filter((image) => !image.config.parent);
    const hit = this.#cacheBusted
      ? undefined
      : children.filter((image) => image.config.container_config && sameConfig(image.config.container_config, probe)).sort((a, b) => b.config.created.localeCompare(a.config.created))[0];
    if (!hit) {
      if (this.options.explainCache) {
        const notes = this.backend.notes;
        this.out.missed?.(explainMiss({ parentId, children, probe, busted: this.#cacheBusted, files, notedFiles: (id) => notes.read(id) }));
      }
      this.#cacheBusted = true;
      return false;
    }
    this.out.say(" ---> Using cache\n");
    this.#advance(stage, hit, run);
    return true;
  }

  #createImage(stage: Stage, run: RunConfig, probe: RunConfig, createdBy: string, diffIds: string[], empty: boolean): Image {
    const created = new Date().toISOString();
    const entry: HistoryEntry = { created, created_by: createdBy, ...(empty ? { empty_layer: true } : {}) };
    const config: ImageConfig = {
      ...stage.config,
      created,
      ...(stage.image ? { parent: stage.image.id } : {}),
      // As Docker: a built image's config names the image its last step ran on.
      config: { ...run, Image: stage.image?.id ?? "" },
      container_config: probe,
      rootfs: { type: "layers", diff_ids: diffIds },
      history: [...stage.config.history, entry],
    };
    delete config.container;
    return this.backend.images.create(config);
  }

  #advance(stage: Stage, image: Image, run: RunConfig = image.config.config): void {
    stage.image = image;
    stage.config = structuredClone(image.config);
    stage.run = structuredClone(run);
    this.out.say(` ---> ${shortId(image.id)}\n`);
  }
}

/**
 * Lays the sources out in `work` as the layer will hold them: at `destination`, or inside it
 * when it is a directory. A download goes in under its URL's file name, mode 0600, as in Docker.
 */
async function stageFiles(paths: string[], destination: string, toDirectory: boolean, work: string, unpackArchives: boolean, downloads: Set<string>): Promise<void> {
  mkdirSync(join(work, destination), { recursive: true, mode: 0o755 });
  for (const path of paths) {
    const isDir = statSync(path).isDirectory();
    const archive = !isDir && unpackArchives && !downloads.has(path) ? archiveKind(path) : undefined;
    if (archive) {
      await extractTar(archiveStream(path, archive), join(work, destination), { whiteouts: "none" });
      continue;
    }
    const name = downloads.has(path) ? readFileSync(`${path}.name`, "utf8") : posix.basename(path);
    const target = isDir ? join(work, destination) : toDirectory ? join(work, destination, name) : join(work, destination);
    if (!isDir && !toDirectory) rmSync(target, { recursive: true, force: true });
    cpSync(path, target, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true, dereference: false });
    if (downloads.has(path)) chmodSync(target, 0o600);
  }
}

/** ADD's URL source: fetched to `path` (its file name beside it, for the layer). */
async function download(url: string, path: string): Promise<string> {
  const response = await fetch(url).catch((error: unknown) => {
    throw new BuildError(`ADD failed: ${url}: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (!response.ok) throw new BuildError(`ADD failed: ${url}: ${response.status} ${response.statusText}`);
  mkdirSync(posix.dirname(path), { recursive: true });
  await Bun.write(path, response);
  writeFileSync(`${path}.name`, posix.basename(new URL(url).pathname) || "index.html");
  return path;
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, "utf8").split("\n");
  } catch {
    return [];
  }
}

type ArchiveKind = "tar" | "bzip2" | "xz";

/** What ADD unpacks, by content as Docker decides: a tar, plain or gzipped (extractTar inflates those), bzip2 or xz. */
function archiveKind(path: string): ArchiveKind | undefined {
  const head = Buffer.alloc(262);
  const fd = openSync(path, "r");
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (head.subarray(0, 3).toString("latin1") === "BZh") return "bzip2";
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return "xz";
  if (head[0] === 0x1f && head[1] === 0x8b) return "tar";
  if (head.subarray(257, 262).toString("latin1") === "ustar") return "tar";
  return undefined;
}

/** The archive's tar bytes: read as it is (extractTar inflates gzip), or through the system's bzip2 or xz. */
function archiveStream(path: string, kind: ArchiveKind): AsyncIterable<Uint8Array> {
  if (kind === "tar") return Bun.file(path).stream();
  const child = Bun.spawn([kind, "-dc", path], { stdin: "ignore", stdout: "pipe", stderr: "ignore" });
  return child.stdout;
}

/** What a metadata step's history line says after the keyword, as the legacy builder writes it. */
function metadataText(instruction: Instruction, run: RunConfig, args: string): string {
  if (instruction.keyword === "CMD") return JSON.stringify(run.Cmd);
  if (instruction.keyword === "ENTRYPOINT") return JSON.stringify(run.Entrypoint);
  return args;
}

function healthcheck(instruction: Instruction): Record<string, unknown> {
  const text = instruction.args.trim();
  if (/^NONE$/i.test(text)) return { Test: ["NONE"] };
  const match = /^CMD\s+([\s\S]+)$/i.exec(text);
  if (!match) throw new InvalidArgumentError("HEALTHCHECK requires CMD or NONE");
  const json = parseDockerfile(`CMD ${match[1]}`).instructions[0].json;
  const check: Record<string, unknown> = { Test: json ? ["CMD", ...json] : ["CMD-SHELL", match[1]] };
  const durations: Record<string, string> = { interval: "Interval", timeout: "Timeout", "start-period": "StartPeriod" };
  for (const [flag, field] of Object.entries(durations)) if (instruction.flags[flag]) check[field] = durationNanos(instruction.flags[flag]);
  if (instruction.flags.retries) check.Retries = Number(instruction.flags.retries);
  return check;
}

function durationNanos(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (!match) throw new InvalidArgumentError(`invalid duration ${text}`);
  const unit = { ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }[match[2] as "ms" | "s" | "m" | "h"];
  return Math.round(Number(match[1]) * unit);
}

/** Run configs compared as Docker's cache does: absent, null and empty lists or maps are the same. */
function sameConfig(a: RunConfig, b: RunConfig): boolean {
  return canonical(a) === canonical(b);
}

function canonical(config: RunConfig): string {
  const entries = Object.entries(config)
    .filter(([key]) => key !== "Image")
    .filter(([, value]) => !(value === null || value === undefined || value === "" || value === false || (Array.isArray(value) && value.length === 0) || (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0)))
    .sort(([x], [y]) => x.localeCompare(y));
  return JSON.stringify(entries, (_, value) => (value && typeof value === "object" && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([x], [y]) => x.localeCompare(y))) : value));
}
