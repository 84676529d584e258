/** Image shapes: the Docker/OCI image config as stored and hashed, and the run config inside it. */

/** The container-facing defaults an image carries (Docker's `Config`). */
export interface RunConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  ExposedPorts?: Record<string, object> | null;
  Volumes?: Record<string, object> | null;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  OnBuild?: string[] | null;
  Shell?: string[] | null;
  ArgsEscaped?: boolean;
  /** A built image's: the image its last step ran on. */
  Image?: string;
}

export interface HistoryEntry {
  created: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/**
 * The image config document (Docker image spec v1.2 / OCI). Its sha256 over the exact bytes
 * stored is the image ID.
 */
export interface ImageConfig {
  architecture: string;
  os: string;
  created: string;
  author?: string;
  comment?: string;
  /** The image this one was committed or built on, as "sha256:<hex>" (Docker's `parent`). */
  parent?: string;
  container?: string;
  docker_version?: string;
  config: RunConfig;
  /** The config of the container the image was made in; a build keeps its step's cache key here (Cmd). */
  container_config?: RunConfig;
  rootfs: { type: "layers"; diff_ids: string[] };
  history: HistoryEntry[];
}

export interface Image {
  /** "sha256:<64 hex>" */
  id: string;
  config: ImageConfig;
  /** Short names such as "busybox:latest" or "localhost:5000/foo/bar:1". */
  repoTags: string[];
  /** "repo@sha256:…" under which registries hold it (pulled or pushed). */
  repoDigests: string[];
  /** Bytes of all its layers, as extracted. */
  size: number;
}
