/** `container SUBCOMMAND`: `prune` lives here; the rest are the top-level commands under their management names (`container ls` is `ps`). */
import { managementCommand } from "../management.ts";
import attach from "./attach.ts";
import commit from "./commit.ts";
import cp from "./cp.ts";
import create from "./create.ts";
import diff from "./diff.ts";
import exec from "./exec.ts";
import exportCommand from "./export.ts";
import inspect from "./inspect.ts";
import kill from "./kill.ts";
import logs from "./logs.ts";
import pause from "./pause.ts";
import port from "./port.ts";
import prune from "./container-prune.ts";
import ps from "./ps.ts";
import rename from "./rename.ts";
import restart from "./restart.ts";
import rm from "./rm.ts";
import run from "./run.ts";
import start from "./start.ts";
import stats from "./stats.ts";
import stop from "./stop.ts";
import top from "./top.ts";
import unpause from "./unpause.ts";
import update from "./update.ts";
import wait from "./wait.ts";

export default managementCommand("container", "Manage containers", {
  attach, commit, cp, create, diff, exec, export: exportCommand, inspect, kill, logs, ls: ps, pause, port, prune, rename,
  restart, rm, run, start, stats, stop, top, unpause, update, wait,
});
