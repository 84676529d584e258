/**
 * Entry of the start stages inside the compiled binary. It is bundled as its own entry point
 * so a stage loads only what it needs (bun:ffi, fs), not the daemon's and CLI's modules: each
 * container start runs two stages, and their start-up time is on every `run`.
 */
import { STAGE_INSIDE, STAGE_NAMESPACES } from "./spec.ts";
import { createNamespaces } from "./2-create-namespaces.ts";
import { runStageInside } from "./stage-inside.ts";
import { holdRootfsView, STAGE_ROOTFS_VIEW } from "./rootfs-view.ts";
import { STAGE_EXEC_ENTER, STAGE_EXEC_JOIN } from "../exec/exec-spec.ts";
import { joinNamespaces } from "../exec/1-join-namespaces.ts";
import { enterContainer } from "../exec/2-enter-container.ts";

const role = process.argv[2];
if (role === STAGE_NAMESPACES) createNamespaces();
else if (role === STAGE_INSIDE) runStageInside();
else if (role === STAGE_ROOTFS_VIEW) await holdRootfsView();
else if (role === STAGE_EXEC_JOIN) joinNamespaces();
else if (role === STAGE_EXEC_ENTER) enterContainer();
