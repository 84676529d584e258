/** Shapes shared by the registry client: credentials, content descriptors, and the daemon's registry settings. */

/** What a client sends in X-Registry-Auth (or `POST /auth`), already decoded. */
export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth refresh token a token service handed out at login. */
  identityToken?: string;
  /** A bearer token to send as it is. */
  registryToken?: string;
}

/** An OCI content descriptor: what a manifest says about a blob it references. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface RegistryOptions {
  /** Hosts ("host:port") and CIDRs reached over plain HTTP or unverified TLS; loopback always is. */
  insecureRegistries: string[];
  /** Mirrors tried first for Docker Hub pulls ("https://mirror.example"). */
  mirrors: string[];
  /** Docker's certs.d: DIR/<host[:port]>/ca.crt, client.cert, client.key. */
  certsDir: string;
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
}

export const DEFAULT_REGISTRY_OPTIONS: RegistryOptions = {
  insecureRegistries: [],
  mirrors: [],
  certsDir: "/etc/bunker/certs.d",
  maxConcurrentDownloads: 3,
  maxConcurrentUploads: 5,
};

/** What a pull or push reports as it goes; the daemon turns each into one JSON message. */
export interface ProgressEvent {
  /** The layer (short digest) or tag the line is about; absent for whole-operation lines. */
  id?: string;
  status: string;
  progressDetail?: { current: number; total?: number };
  /** Extra structured result (push's tag, digest and size). */
  aux?: Record<string, unknown>;
}

export type ProgressSink = (event: ProgressEvent) => void;
