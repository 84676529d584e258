import { describe, expect, test } from "bun:test";
import { parseLogOpts, parseMount } from "../../cli/container-config.ts";
import { parseEnvFile } from "../../cli/env-file.ts";
import { parseSince } from "../../cli/since.ts";

describe("--env-file", () => {
  test("docker's format", () => {
    const text = "\uFEFF# comment\nA=1\n\n   B=with spaces \nC=\"kept\"\nFROM_CLIENT\nUNSET\nD=x=y\r\n";
    expect(parseEnvFile(text, "f", { FROM_CLIENT: "yes" })).toEqual(["A=1", "B=with spaces ", 'C="kept"', "FROM_CLIENT=yes", "D=x=y"]);
  });

  test("malformed lines name the file and line", () => {
    expect(() => parseEnvFile("=1\n", "f", {})).toThrow("no variable name on line '=1' (f:1)");
    expect(() => parseEnvFile("OK=1\nA B=1\n", "f", {})).toThrow("variable 'A B' contains whitespaces (f:2)");
  });
});

describe("--since", () => {
  const now = Date.parse("2024-05-06T07:08:09.500Z");
  test("unix seconds pass through", () => {
    expect(parseSince("1700000000", now)).toBe("1700000000");
    expect(parseSince("1700000000.25", now)).toBe("1700000000.25");
  });

  test("RFC 3339, with or without a zone (UTC), or a date", () => {
    expect(parseSince("2024-05-06T07:08:00Z", now)).toBe("1714979280.000");
    expect(parseSince("2024-05-06T09:08:00+02:00", now)).toBe("1714979280.000");
    expect(parseSince("2024-05-06T07:08:00", now)).toBe("1714979280.000");
    expect(parseSince("2024-05-06", now)).toBe("1714953600.000");
  });

  test("Go durations back from now", () => {
    expect(parseSince("10s", now)).toBe("1714979279.500");
    expect(parseSince("1m30s", now)).toBe("1714979199.500");
    expect(parseSince("1.5h", now)).toBe(((now - 5_400_000) / 1000).toFixed(3));
  });

  test("anything else is refused", () => {
    expect(() => parseSince("yesterday", now)).toThrow('invalid value for "since"');
    expect(() => parseSince("10", now)).not.toThrow();
  });
});

describe("--log-opt", () => {
  test("key=value pairs, the value may hold =", () => {
    expect(parseLogOpts(["max-size=10m", "max-file=2", "tag=a=b"])).toEqual({ "max-size": "10m", "max-file": "2", tag: "a=b" });
    expect(() => parseLogOpts(["max-size"])).toThrow("invalid key value pair");
  });
});

describe("--mount", () => {
  test("docker's csv fields and aliases become HostConfig.Mounts", () => {
    expect(parseMount("type=bind,source=/a,target=/b,readonly")).toEqual({ Type: "bind", Source: "/a", Target: "/b", ReadOnly: true });
    expect(parseMount("src=data,dst=/x,ro=false")).toEqual({ Type: "volume", Source: "data", Target: "/x", ReadOnly: false });
    expect(parseMount("type=tmpfs,destination=/t,tmpfs-size=64m,tmpfs-mode=1777")).toEqual({ Type: "tmpfs", Target: "/t", TmpfsOptions: { SizeBytes: 64 * 1024 * 1024, Mode: 0o1777 } });
  });

  test("refuses what docker refuses", () => {
    expect(() => parseMount("type=bind,source=/a")).toThrow("target is required");
    expect(() => parseMount("type=bind,colour=red,target=/b")).toThrow("unexpected key 'colour'");
    expect(() => parseMount("type=bind,target")).toThrow("must be a key=value pair");
  });
});
