/** A build step that failed, in Docker's words; its `code` is what the CLI exits with. */
import { EngineError } from "../errors.ts";

export class BuildError extends EngineError {
  override name = "BuildError";
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}
