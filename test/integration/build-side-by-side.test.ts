/**
 * The same Dockerfiles built by bunker and by Docker 20.10's legacy builder (a throw-away
 * dockerd): the image configs must be equal (but for the image IDs they name), and running
 * the images must print the same. Covers variable substitution, exec and shell forms, SHELL,
 * HEALTHCHECK, STOPSIGNAL, ADD of tar archives and the escape directive.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Dockerd } from "../../bench/dockerd.ts";
import { ok, run, TestDaemon } from "./harness.ts";

const DOCKERFILES: Record<string, string> = {
  expansion: [
    "FROM base",
    "ENV A=1 B=two",
    "ENV C=$A D=${B:-x} E=${NOPE:-fallback} F=${A:+set} G=\"${B} and $A\" H='$A' J=${NOPE:+never}",
    "ARG V=argv",
    "ENV I=$V",
    "WORKDIR /w/$B",
    "WORKDIR sub",
    'LABEL l1=$A "l 2"="$B x"',
    "EXPOSE 80 $A/udp",
    'RUN echo "$A $B $V $C $D $E $F $G $H $I $J" > /tmp/out',
    "USER nobody",
    "CMD cat /tmp/out; pwd",
  ].join("\n"),
  forms: [
    "FROM base",
    'SHELL ["/bin/sh", "-c"]',
    "ENTRYPOINT echo entry",
    'CMD ["x", "y"]',
    "STOPSIGNAL SIGUSR1",
    "HEALTHCHECK --interval=5s --timeout=2s --retries=4 CMD wget -q localhost || exit 1",
    "VOLUME /a /b",
  ].join("\n"),
  shell: ["FROM base", 'SHELL ["/bin/sh", "-e", "-c"]', "RUN echo shelled > /s", "CMD echo from cmd; cat /s", "HEALTHCHECK NONE"].join("\n"),
  escape: ["# escape=`", "FROM base", "RUN echo a `", "    b > /e", 'CMD ["cat", "/e"]'].join("\n"),
  archives: ["FROM base", "ADD files.tar /unpacked/", "ADD files.tar.gz /gz/", "ADD files.tar.bz2 files.tar.xz /more/", "COPY files.tar /copied/", 'CMD ["ls", "-R", "/unpacked", "/gz", "/more", "/copied"]'].join("\n"),
};

let bunker: TestDaemon;
const dockerd = new Dockerd();
const contexts = mkdtempSync("/tmp/bunker-test-build-sbs-");

beforeAll(async () => {
  bunker = await TestDaemon.withBase("build-side-by-side");
  await dockerd.start();
  await dockerd.importBase();
}, 120_000);
afterAll(async () => {
  try {
    await bunker?.cleanup();
  } finally {
    await dockerd.stop();
    rmSync(contexts, { recursive: true, force: true });
  }
});

const sorted = (value: unknown): unknown =>
  value && typeof value === "object" && !Array.isArray(value) ? Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted((value as Record<string, unknown>)[key])])) : value;

for (const [name, dockerfile] of Object.entries(DOCKERFILES)) {
  test(`${name}: the same config as Docker's legacy builder, and the same output`, async () => {
    const context = join(contexts, name);
    mkdirSync(join(context, "src/dir"), { recursive: true });
    writeFileSync(join(context, "Dockerfile"), `${dockerfile}\n`);
    writeFileSync(join(context, "src/one.txt"), "1\n");
    writeFileSync(join(context, "src/dir/two.txt"), "2\n");
    await ok(run(["tar", "-C", join(context, "src"), "-cf", join(context, "files.tar"), "."]));
    for (const [flag, ext] of [["-z", "gz"], ["-j", "bz2"], ["-J", "xz"]]) await ok(run(["tar", "-C", join(context, "src"), flag, "-cf", join(context, `files.tar.${ext}`), "."]));
    const results = [];
    for (const host of [bunker.host, dockerd.host]) {
      const env = { DOCKER_HOST: host, DOCKER_BUILDKIT: "0" };
      await ok(run(["docker", "build", "-q", "-t", `sbs-${name}`, context], env));
      const [image] = JSON.parse(await ok(run(["docker", "image", "inspect", `sbs-${name}`], env)));
      expect(image.Config.Image).toMatch(/^sha256:[0-9a-f]{64}$/);
      delete image.Config.Image;
      const output = await run(["docker", "run", "--rm", "--network", "none", `sbs-${name}`], env);
      results.push({ config: sorted(image.Config), output: output.stdout + output.stderr, code: output.code });
    }
    expect(results[0]).toEqual(results[1]);
  }, 60_000);
}
