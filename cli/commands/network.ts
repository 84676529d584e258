/** `network SUBCOMMAND`: user-defined networks. */
import { managementCommand } from "../management.ts";
import connect from "./network-connect.ts";
import create from "./network-create.ts";
import disconnect from "./network-disconnect.ts";
import inspect from "./network-inspect.ts";
import ls from "./network-ls.ts";
import prune from "./network-prune.ts";
import rm from "./network-rm.ts";

export default managementCommand("network", "Manage networks", { connect, create, disconnect, inspect, ls, prune, rm });
