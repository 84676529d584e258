/**
 * Writing one entry into a tar-stream pack whose reader may go away at any byte. A destroyed
 * pack (its client left, which cancels the web stream over it) never drains and fails every
 * entry; these helpers end their waits then, stop pulling from the source (whose `finally`
 * closes its files), and never leave an 'error' event unheard, which would take the daemon down.
 * Every producer of an archive (save, export, cp, commit) writes its entries through here.
 */
import type { Pack } from "tar-stream";

/** tar-stream writes `pax` records, though its types do not say so. */
export type PackHeader = Parameters<Pack["entry"]>[0] & { pax?: Record<string, string> };

/** An entry whose contents are in hand (or none: a directory, a link, an empty file). */
export function addEntry(pack: Pack, header: PackHeader, content: Buffer = Buffer.alloc(0)): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const sink = openEntry(pack, header, (error) => (error ? reject(error) : resolve()), content);
    if (!sink) reject(new PackClosedError());
  });
}

/** The pack was destroyed (its reader left) before or while an entry was written. */
export class PackClosedError extends Error {
  override name = "PackClosedError";
  constructor() {
    super("the archive's reader went away");
  }
}

/** A new entry's sink, or undefined once the pack is destroyed (tar-stream then throws from `entry`). */
function openEntry(pack: Pack, header: PackHeader, callback: (error?: Error | null) => void, content?: Buffer): ReturnType<Pack["entry"]> | undefined {
  if (pack.destroying) return undefined;
  try {
    const sink = content ? pack.entry(header, content, callback) : pack.entry(header, callback);
    sink.on("error", () => {}); // reported through the callback
    return sink;
  } catch {
    return undefined;
  }
}

/**
 * Streams `chunks` into an entry of `header.size` bytes, as fast as the pack's reader takes
 * them. Resolves false, having stopped the source, if the pack was destroyed meanwhile.
 */
export async function streamEntry(pack: Pack, header: PackHeader, chunks: AsyncIterable<Uint8Array>): Promise<boolean> {
  let sink: ReturnType<Pack["entry"]> | undefined;
  const done = new Promise<void>((resolve, reject) => {
    sink = openEntry(pack, header, (error) => (error ? reject(error) : resolve()));
  });
  if (!sink) return false;
  // Awaited below; until then a failure (the pack destroyed) must not count as unhandled.
  const failed = done.then(() => false, () => true);
  for await (const chunk of chunks) {
    if (pack.destroying) return false; // leaving the loop returns the source, closing its files
    if (!sink.write(chunk)) {
      const drained = new Promise<boolean>((resolve) => sink!.once("drain", () => resolve(false)));
      if (await Promise.race([drained, failed])) return false;
    }
  }
  if (pack.destroying) return false;
  sink.end(undefined); // streamx types require an argument; undefined writes nothing
  await done;
  return true;
}
