/** What the daemon says about itself. */
import { VERSION } from "../src/util/build-info.ts";

export { VERSION };
export const API_VERSION = "1.41";
export const MIN_API_VERSION = "1.12";
export const SERVER_HEADER = `Bunker/${VERSION} (linux)`;
