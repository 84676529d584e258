/**
 * A test file's two engines: its own bunker daemon with the base image, and a throw-away
 * dockerd (Debian's docker.io) with the same image, started before the file's tests and both
 * stopped after them, bunker's leftovers checked even when Docker's stop fails.
 */
import { afterAll, beforeAll } from "bun:test";
import { Dockerd } from "../../bench/dockerd.ts";
import { TestDaemon } from "./harness.ts";

export interface Engines {
  bunker: TestDaemon;
  dockerd: Dockerd;
}

/** Registers the hooks; `prepare` runs once both are up (more images, containers made on both). */
export function sideBySide(name: string, prepare?: (engines: Engines) => Promise<void>): Engines {
  const engines = { dockerd: new Dockerd() } as Engines;
  beforeAll(async () => {
    engines.bunker = await TestDaemon.withBase(name);
    await engines.dockerd.start();
    await engines.dockerd.importBase();
    await prepare?.(engines);
  }, 120_000);
  afterAll(async () => {
    try {
      await engines.bunker?.cleanup();
    } finally {
      await engines.dockerd.stop();
    }
  });
  return engines;
}
