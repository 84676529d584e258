import { describe, expect, test } from "bun:test";
import { InvalidArgumentError } from "../../src/errors.ts";
import { formatReference, normalizeRepoTag, parseReference } from "../../src/image/reference.ts";

const HEX = "a".repeat(64);

describe("parseReference", () => {
  test.each([
    ["busybox", "busybox:latest"],
    ["busybox:1", "busybox:1"],
    ["docker.io/library/busybox:1", "busybox:1"],
    ["docker.io/busybox", "busybox:latest"],
    ["index.docker.io/library/busybox", "busybox:latest"],
    ["library/busybox", "busybox:latest"],
    ["docker.io/foo/bar", "foo/bar:latest"],
    ["docker.io/library/foo/bar", "library/foo/bar:latest"],
    ["localhost:5000/foo/bar:2", "localhost:5000/foo/bar:2"],
    ["localhost/foo", "localhost/foo:latest"],
    ["example.com/a/b/c:v1.2-rc_3", "example.com/a/b/c:v1.2-rc_3"],
    ["my_app.x__y---z:T_A.g-1", "my_app.x__y---z:T_A.g-1"],
    ["foo:5000", "foo:5000"],
    [`busybox@sha256:${HEX}`, `busybox@sha256:${HEX}`],
    [`busybox:1@sha256:${HEX}`, `busybox:1@sha256:${HEX}`],
  ])("%s -> %s", (input, expected) => {
    expect(formatReference(parseReference(input))).toBe(expected);
  });

  test("splits repo, tag and digest", () => {
    expect(parseReference("localhost:5000/foo/bar:2")).toEqual({ repo: "localhost:5000/foo/bar", tag: "2" });
    expect(parseReference(`x@sha256:${HEX}`)).toEqual({ repo: "x", digest: `sha256:${HEX}` });
  });

  test.each([
    ["Busybox", "invalid reference format: repository name must be lowercase"],
    ["", "invalid reference format: repository name must have at least one component"],
    ["foo:", "invalid reference format"],
    ["-foo", "invalid reference format"],
    ["foo..bar", "invalid reference format"],
    ["foo/", "invalid reference format"],
    [`foo:${"t".repeat(129)}`, "invalid reference format"],
    [HEX, `invalid repository name (${HEX}), cannot specify 64-byte hexadecimal strings`],
    ["foo@sha256:abc", "invalid reference format"],
    [`${"a".repeat(256)}`, "invalid reference format: repository name must not be more than 255 characters"],
  ])("rejects %p", (input, message) => {
    expect(() => parseReference(input)).toThrow(new InvalidArgumentError(message));
  });
});

describe("normalizeRepoTag", () => {
  test("takes repo and tag separately, as docker tag sends them", () => {
    expect(normalizeRepoTag("docker.io/library/x", "1")).toEqual({ repo: "x", tag: "1" });
  });
  test("takes name:tag in repo with no tag, as docker import sends it", () => {
    expect(normalizeRepoTag("name:tag")).toEqual({ repo: "name", tag: "tag" });
    expect(normalizeRepoTag("name", "")).toEqual({ repo: "name", tag: "latest" });
  });
  test("an explicit tag wins", () => {
    expect(normalizeRepoTag("name:old", "new")).toEqual({ repo: "name", tag: "new" });
  });
  test("rejects digests and bad tags", () => {
    expect(() => normalizeRepoTag(`x@sha256:${HEX}`)).toThrow(InvalidArgumentError);
    expect(() => normalizeRepoTag("x", "-bad")).toThrow("invalid tag format");
  });
});
