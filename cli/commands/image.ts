/** `image SUBCOMMAND`: `prune` lives here; the rest are the top-level commands under their management names (`image ls` is `images`). */
import { managementCommand } from "../management.ts";
import history from "./history.ts";
import images from "./images.ts";
import importCommand from "./import.ts";
import inspect from "./inspect.ts";
import prune from "./image-prune.ts";
import rmi from "./rmi.ts";
import tag from "./tag.ts";

export default managementCommand("image", "Manage images", { history, import: importCommand, inspect, ls: images, prune, rm: rmi, tag });
