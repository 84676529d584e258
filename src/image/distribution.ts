/**
 * What pulls and pushes share in one daemon: the transport and its settings, the token cache,
 * the download and upload limits, and the record of which registry blobs each layer is.
 */
import { RegistryClient, type RepositoryAccess } from "../registry/client.ts";
import { TokenCache } from "../registry/tokens.ts";
import { RegistryTransport } from "../registry/transport.ts";
import type { RegistryOptions } from "../registry/types.ts";
import { Semaphore } from "../util/semaphore.ts";
import type { ImageStore } from "./image-store.ts";
import { LayerDownloads } from "./layer-downloads.ts";
import { LayerSources } from "./layer-sources.ts";

export class Distribution {
  readonly transport: RegistryTransport;
  readonly tokens: TokenCache;
  readonly downloads: LayerDownloads;
  readonly uploads: Semaphore;
  readonly sources: LayerSources;

  constructor(
    root: string,
    public options: RegistryOptions,
    readonly images: ImageStore,
  ) {
    this.transport = new RegistryTransport(options);
    this.tokens = new TokenCache(this.transport);
    this.downloads = new LayerDownloads(options.maxConcurrentDownloads);
    this.uploads = new Semaphore(options.maxConcurrentUploads);
    this.sources = new LayerSources(root);
  }

  /** Applies reloaded registry settings: mirrors, insecure registries, transfer limits. */
  reconfigure(options: RegistryOptions): void {
    this.options = options;
    this.transport.reconfigure(options);
    this.downloads.setLimit(options.maxConcurrentDownloads);
    this.uploads.resize(options.maxConcurrentUploads);
  }

  client(access: RepositoryAccess): RegistryClient {
    return new RegistryClient(this.transport, this.tokens, access);
  }
}
