/** What this binary is: the release and the commit it was built from. */
import pkg from "../../package.json" with { type: "json" };

/** Set by scripts/build.sh (`--define`); absent when run from source. */
declare const BUNKER_BUILD_COMMIT: string | undefined;

export const VERSION = pkg.version;

export function buildCommit(): string {
  return typeof BUNKER_BUILD_COMMIT === "string" ? BUNKER_BUILD_COMMIT : "source";
}
