/** `volume SUBCOMMAND`: named volumes. */
import { managementCommand } from "../management.ts";
import create from "./volume-create.ts";
import inspect from "./volume-inspect.ts";
import ls from "./volume-ls.ts";
import prune from "./volume-prune.ts";
import rm from "./volume-rm.ts";

export default managementCommand("volume", "Manage volumes", { create, inspect, ls, prune, rm });
