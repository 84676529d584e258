/** docker-py (Debian's python3-docker), a real Docker client library, drives bunker unchanged. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { run, TestDaemon } from "./harness.ts";

// The system interpreter, which Debian's python3-docker installs into (not a pyenv shim).
const PYTHON = "/usr/bin/python3";
let daemon: TestDaemon;

beforeAll(async () => {
  daemon = await TestDaemon.withBase("docker-py");
});
afterAll(async () => {
  await daemon?.cleanup();
});

test("docker-py: ping, version, run, images, detached run, stop, logs, remove", async () => {
  const r = await run([PYTHON, join(import.meta.dir, "clients/docker_py_session.py")], { DOCKER_HOST: daemon.host });
  expect(r.stderr).toBe("");
  expect(r.stdout.split("\n")).toEqual([
    "ping True",
    "version 1.41",
    "run hi",
    "images ['base:latest']",
    "listed True",
    "status running",
    "stopped exited 137",
    "logs started",
    "removed True",
    "",
  ]);
});
