/** What the daemon says about itself. */
import pkg from "../package.json" with { type: "json" };

export const VERSION = pkg.version;
export const API_VERSION = "1.41";
export const MIN_API_VERSION = "1.12";
export const SERVER_HEADER = `Bunker/${VERSION} (linux)`;
