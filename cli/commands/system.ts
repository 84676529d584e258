/** `system SUBCOMMAND`: disk usage and pruning, and `info`/`events` under their management names. */
import { managementCommand } from "../management.ts";
import df from "./system-df.ts";
import events from "./events.ts";
import info from "./info.ts";
import prune from "./system-prune.ts";

export default managementCommand("system", "Manage bunker", { df, events, info, prune });
