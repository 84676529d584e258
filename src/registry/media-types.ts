/** The media types of the Docker and OCI image formats, and what a pull asks a registry for. */

export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

export const DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";

export const DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
export const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
export const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
export const OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
/** Foreign (Windows base) layers: never pushed, and never seen on linux images. */
const FOREIGN_LAYER = /\.foreign\./;

/** Every manifest kind a pull understands. distribution 2.8 answers 400 or 404 without this header. */
export const MANIFEST_ACCEPT = [DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST].join(", ");

export const isIndex = (mediaType: string) => mediaType === DOCKER_MANIFEST_LIST || mediaType === OCI_INDEX;
export const isImageManifest = (mediaType: string) => mediaType === DOCKER_MANIFEST || mediaType === OCI_MANIFEST;

export type LayerCompression = "gzip" | "zstd" | "none";

/** How a layer blob is compressed, from its media type; undefined for a type that is not a layer bunker can unpack. */
export function layerCompression(mediaType: string): LayerCompression | undefined {
  if (FOREIGN_LAYER.test(mediaType)) return undefined;
  if (mediaType === DOCKER_LAYER_GZIP || mediaType === OCI_LAYER_GZIP) return "gzip";
  if (mediaType === OCI_LAYER_ZSTD) return "zstd";
  if (mediaType === OCI_LAYER) return "none";
  return undefined;
}
