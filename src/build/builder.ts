/**
 * The legacy (non-BuildKit) builder: a Dockerfile's instructions run one after the other, each
 * producing an image on the one before. Metadata instructions make a config-only image; RUN
 * runs in a real container (the normal start path, its output streamed into the build) that is
 * then committed; ADD and COPY add a layer made from the context. Before any of that, Docker's
 * cache rule: a step hits when an image built here on the same parent has the same run config
 * with the step's key as its Cmd (the key is kept in the image's `container_config`).
 */
import { rmSync } from "node:fs";
import { join, posix } from "node:path";
import { randomBytes } from "node:crypto";
import { InvalidArgumentError } from "../errors.ts";
import { words as splitWords } from "../image/changes.ts";
import type { ImageStore } from "../image/image-store.ts";
import type { HistoryEntry, Image, ImageConfig, RunConfig } from "../image/types.ts";
import { packTree } from "../archive/pack-tree.ts";
import { resolveInRoot, cleanComponents } from "../archive/scoped-path.ts";
import { shortId } from "../util/ids.ts";
import { DEFAULT_PATH, type CreateRequest } from "../container/create-config.ts";
import { resolveUser } from "../start/user.ts";
import type { Credentials } from "../registry/types.ts";
import { BuildError } from "./build-error.ts";
import { sameConfig } from "./cache-compare.ts";
import type { CacheNotes } from "./cache-notes.ts";
import { contentHash, type BuildContext } from "./context.ts";
import { download, stageFiles } from "./copy-sources.ts";
import { parseDockerfile, type Instruction } from "./dockerfile.ts";
import { expandVariables } from "./expand.ts";
import { explainMiss } from "./explain-cache.ts";
import { applyMetadata, DEFAULT_SHELL, metadataText } from "./metadata.ts";

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
    if (triggers.length > 0) this.out.say(`# Executing ${triggers.length} build trigger${triggers.length === 1 ? "" : "s"}\n`);
    for (const trigger of triggers) await this.#step(parseDockerfile(trigger).instructions[0]);
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
      const digest = await contentHash([...paths, ...downloads.map((d) => d.path)]);
      const key = [...DEFAULT_SHELL, `#(nop) ${instruction.keyword} ${chownText}${digest.key} in ${dest} `];
      const probe: RunConfig = { ...stage.run, Cmd: key };
      if (await this.#fromCache(stage, probe, stage.run, digest.files)) return;
      const layer = join(work, "layer");
      const toDirectory = dest.endsWith("/") || sources.length > 1;
      // ADD unpacks a local archive (tar, gzip, bzip2, xz); COPY, a URL, and anything from another stage are copied as they are.
      await stageFiles(paths, downloads, posix.resolve(stage.run.WorkingDir || "/", dest), toDirectory, layer, instruction.keyword === "ADD" && !fromImage);
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

  /**
   * `--chown=user[:group]`: numbers as they are (a lone UID is the GID too, as in Docker); names
   * looked up in the stage's own /etc/passwd and /etc/group, as `USER` is at start.
   */
  async #owner(stage: Stage, spec: string): Promise<{ uid: number; gid: number }> {
    const [user, group] = spec.split(":", 2);
    if (/^\d+$/.test(user) && (group === undefined || /^\d+$/.test(group))) return { uid: Number(user), gid: Number(group ?? user) };
    const image = stage.image;
    if (!image) throw new BuildError(`unable to convert uid/gid chown string to host mapping: no image to look up ${spec} in`);
    return this.backend.withImageRoot(image, async (root) => {
      try {
        const { uid, gid } = resolveUser(spec, resolveInRoot(root, ["etc", "passwd"]), resolveInRoot(root, ["etc", "group"]));
        return { uid, gid };
      } catch (error) {
        throw new BuildError(`unable to convert uid/gid chown string to host mapping: ${error instanceof Error ? error.message : String(error)}`);
      }
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
    if (instruction.keyword === "CMD") stage.cmdSet = true;
    let run: RunConfig;
    try {
      run = applyMetadata(stage.run, instruction, args, stage.cmdSet);
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

