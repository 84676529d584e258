import { describe, expect, test } from "bun:test";
import { parseArgs } from "../../cli/args.ts";
import { containerFlags, createBody, parseRestart, resolveEnv } from "../../cli/container-config.ts";
import { FrameDemuxer, type Sink } from "../../cli/demux.ts";
import { formatNames, formatPorts, goQuote, psCommand, renderTable, splitRepoTag } from "../../cli/render.ts";
import { progressBar } from "../../src/util/human.ts";
import { binarySize } from "../../src/util/human.ts";
import { compileTemplate } from "../../cli/template.ts";

describe("ps COMMAND column", () => {
  test("quoted, cut to 20 characters with an ellipsis like docker", () => {
    expect(psCommand("sh -c 'while true; do echo hi; done'", true)).toBe(`"sh -c 'while true; …"`);
    expect(psCommand("sleep 1000", true)).toBe(`"sleep 1000"`);
    expect(psCommand("x".repeat(20), true)).toBe(`"${"x".repeat(20)}"`);
  });

  test("--no-trunc keeps it whole; quoting follows Go's strconv.Quote", () => {
    expect(psCommand('echo "a\\b"\n', false)).toBe(`"echo \\"a\\\\b\\"\\n"`);
    expect(goQuote("\x1b")).toBe(`"\\x1b"`);
  });
});

describe("tables", () => {
  test("columns are the widest cell plus 3, at least 10; the last is not padded", () => {
    expect(renderTable(["A", "LONGER HEADER", "LAST"], [["1", "x", "tail"]])).toBe(
      "A         LONGER HEADER   LAST\n" + "1         x               tail",
    );
  });

  test("width counts characters, so … is one", () => {
    const lines = renderTable(["C", "N"], [['"abc…"', "n"]]).split("\n");
    expect(lines[1]).toBe('"abc…"    n');
  });
});

test("ports, names, sizes, repo:tag", () => {
  expect(
    formatPorts([
      { IP: "0.0.0.0", PrivatePort: 80, PublicPort: 49153, Type: "tcp" },
      { IP: "::", PrivatePort: 80, PublicPort: 49153, Type: "tcp" },
      { PrivatePort: 53, Type: "udp" },
    ]),
  ).toBe("0.0.0.0:49153->80/tcp, [::]:49153->80/tcp, 53/udp");
  expect(formatNames(["/web"])).toBe("web");
  expect(binarySize(16663232512)).toBe("15.52GiB");
  expect(splitRepoTag("localhost:5000/foo/bar")).toEqual({ repo: "localhost:5000/foo/bar", tag: undefined });
  expect(splitRepoTag("localhost:5000/foo:1")).toEqual({ repo: "localhost:5000/foo", tag: "1" });
  expect(progressBar(50, 100, 10)).toBe("[=====>    ]  50B/100B");
});

describe("multiplexed stream", () => {
  const collect = () => {
    const out: string[] = [];
    const sink = (prefix: string): Sink => ({ write: (chunk) => (out.push(prefix + new TextDecoder().decode(chunk)), true) });
    return { out, stdout: sink("1:"), stderr: sink("2:") };
  };
  const frame = (stream: number, text: string) => {
    const payload = new TextEncoder().encode(text);
    const bytes = new Uint8Array(8 + payload.length);
    bytes[0] = stream;
    new DataView(bytes.buffer).setUint32(4, payload.length);
    bytes.set(payload, 8);
    return bytes;
  };

  test("frames cut at every possible byte still come out whole and in order", () => {
    // Pieces of one frame may arrive as several writes; merge neighbours of the same stream to compare.
    const all = new Uint8Array([...frame(1, "hi\n"), ...frame(2, "err\n"), ...frame(1, ""), ...frame(1, "ok")]);
    for (let cut = 0; cut <= all.length; cut++) {
      const { out, stdout, stderr } = collect();
      const demuxer = new FrameDemuxer(stdout, stderr);
      demuxer.push(all.subarray(0, cut));
      demuxer.push(all.subarray(cut));
      const merged = out.reduce<string[]>((acc, piece) => {
        const last = acc[acc.length - 1];
        if (last && last[0] === piece[0]) acc[acc.length - 1] = last + piece.slice(2);
        else acc.push(piece);
        return acc;
      }, []);
      expect(merged).toEqual(["1:hi\n", "2:err\n", "1:ok"]);
    }
  });
});

describe("inspect -f templates", () => {
  const data = { State: { Status: "running", Pid: 42 }, Config: { Cmd: ["echo", "hi"], Labels: { b: "2", a: "1" }, Entrypoint: null } };
  test("dotted paths, json, Go formatting", () => {
    expect(compileTemplate("{{.State.Status}} {{ .State.Pid }}")(data)).toBe("running 42");
    expect(compileTemplate("{{json .Config.Cmd}}")(data)).toBe('["echo","hi"]');
    expect(compileTemplate("{{.Config.Cmd}} {{.Config.Labels}} {{.Config.Entrypoint}}")(data)).toBe("[echo hi] map[a:1 b:2] <nil>");
    expect(compileTemplate("{{.Nope.Deeper}}")(data)).toBe("<no value>");
  });
  test("unsupported actions are rejected up front", () => {
    expect(() => compileTemplate("{{range .X}}")).toThrow();
  });
});

describe("create body", () => {
  test("-p, -P and --expose become ExposedPorts, PortBindings and PublishAllPorts", () => {
    const { flags } = parseArgs(["-p", "8080:80", "-p", "53/udp", "-p", "127.0.0.1::9000", "-P", "--expose", "7000-7001"], containerFlags);
    const body = createBody("base", [], flags, { attach: false, consoleSize: [0, 0], environment: {}, envFileEntries: [] });
    expect(Object.keys(body.ExposedPorts ?? {})).toEqual(["80/tcp", "53/udp", "9000/tcp", "7000/tcp", "7001/tcp"]);
    expect(body.HostConfig.PortBindings).toEqual({
      "80/tcp": [{ HostIp: "", HostPort: "8080" }],
      "53/udp": [{ HostIp: "", HostPort: "" }],
      "9000/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }],
    });
    expect(body.HostConfig.PublishAllPorts).toBe(true);
  });

  test("--restart and -e KEY from the client's environment", () => {
    expect(parseRestart("on-failure:3")).toEqual({ Name: "on-failure", MaximumRetryCount: 3 });
    expect(() => parseRestart("sometimes")).toThrow();
    expect(resolveEnv(["A=1", "HOME", "UNSET"], { HOME: "/root" })).toEqual(["A=1", "HOME=/root"]);
  });

  test("-i attached: stdin attached once; detached: nothing attached", () => {
    const { flags } = parseArgs(["-i", "--rm", "-v", "/data", "-v", "/h:/c", "base"], containerFlags, { stopAtFirstOperand: true });
    const attached = createBody("base", ["sh"], flags, { attach: true, consoleSize: [0, 0], environment: {}, envFileEntries: [] });
    expect([attached.AttachStdin, attached.OpenStdin, attached.StdinOnce, attached.AttachStdout]).toEqual([true, true, true, true]);
    expect(attached.Volumes).toEqual({ "/data": {} });
    expect(attached.HostConfig.Binds).toEqual(["/h:/c"]);
    expect(attached.HostConfig.AutoRemove).toBe(true);
    const detached = createBody("base", [], flags, { attach: false, consoleSize: [0, 0], environment: {}, envFileEntries: [] });
    expect([detached.AttachStdin, detached.OpenStdin, detached.StdinOnce, detached.Cmd]).toEqual([false, true, false, null]);
  });
});
