/**
 * What an archive is, from its first bytes: the compressions bunker inflates itself (gzip,
 * zstd), the ones ADD hands to the system's tools (bzip2, xz), or a plain tar (ustar magic).
 * Every place that must tell an archive from other bytes asks here.
 */

export type ArchiveFormat = "gzip" | "zstd" | "bzip2" | "xz" | "tar";

/** Enough bytes to tell every format apart (the ustar magic sits at 257). */
export const ARCHIVE_HEAD_BYTES = 262;

const MAGIC: Array<[ArchiveFormat, number[]]> = [
  ["gzip", [0x1f, 0x8b]],
  ["zstd", [0x28, 0xb5, 0x2f, 0xfd]],
  ["bzip2", [0x42, 0x5a, 0x68]], // "BZh"
  ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
];
const USTAR = [0x75, 0x73, 0x74, 0x61, 0x72]; // "ustar"
const USTAR_OFFSET = 257;

export function archiveFormat(head: Uint8Array): ArchiveFormat | undefined {
  const at = (bytes: number[], offset = 0) => bytes.every((byte, i) => head[offset + i] === byte);
  for (const [format, magic] of MAGIC) if (at(magic)) return format;
  return at(USTAR, USTAR_OFFSET) ? "tar" : undefined;
}
