/**
 * `--cidfile FILE` as docker handles it: the file is made before the container, exclusively,
 * so an existing file (maybe a running container's) or an unwritable path stops the run
 * before anything is created; the ID goes in once the container exists, and a create that
 * fails takes the empty file away again.
 */
import { closeSync, openSync, unlinkSync, writeSync } from "node:fs";

export class CidFile {
  readonly #fd: number;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.#fd = fd;
  }

  static claim(path: string): CidFile {
    try {
      return new CidFile(path, openSync(path, "wx", 0o644));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") {
        throw new Error(`Container ID file found, make sure the other container isn't running or delete ${path}`);
      }
      throw new Error(`failed to create the container ID file: ${(err as Error).message}`);
    }
  }

  write(id: string): void {
    try {
      writeSync(this.#fd, id);
    } finally {
      closeSync(this.#fd);
    }
  }

  /** The create failed: no container, so no file either. */
  abandon(): void {
    closeSync(this.#fd);
    unlinkSync(this.path);
  }
}
