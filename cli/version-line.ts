/** `bunker --version`: the release and the commit it was built from, as `docker --version` prints them. */
import { buildCommit, VERSION } from "../src/util/build-info.ts";

export function versionLine(): string {
  return `bunker version ${VERSION}, build ${buildCommit()}`;
}
