/**
 * What a COPY or ADD step's sources were, per file, for the image it made: kept beside the
 * image (not in its config, which would change its ID) so that a later cache miss on the same
 * parent can name the file that changed (`--explain-cache`). A lost note only costs detail.
 *
 *   ROOT/build-notes/<image hex>.json   {"name/inside": "<sha256>", …}
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../util/atomic-write.ts";

export class CacheNotes {
  readonly #dir: string;

  constructor(root: string) {
    this.#dir = join(root, "build-notes");
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
  }

  write(imageId: string, files: Record<string, string>): void {
    writeJsonAtomic(this.#path(imageId), files);
  }

  read(imageId: string): Record<string, string> | undefined {
    try {
      return JSON.parse(readFileSync(this.#path(imageId), "utf8")) as Record<string, string>;
    } catch {
      return undefined;
    }
  }

  #path(imageId: string): string {
    return join(this.#dir, `${imageId.replace(/^sha256:/, "")}.json`);
  }
}
