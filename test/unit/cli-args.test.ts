import { describe, expect, test } from "bun:test";
import { parseArgs, UsageError } from "../../cli/args.ts";
import { containerFlags } from "../../cli/container-config.ts";

const runFlags = { detach: { kind: "boolean", short: "d", description: "" }, ...containerFlags } as const;
const parseRun = (argv: string[]) => parseArgs(argv, runFlags, { stopAtFirstOperand: true });

describe("run/create: the image splits bunker's flags from the container's command", () => {
  test("flags after the image belong to the command", () => {
    const { flags, operands } = parseRun(["-d", "--name", "x", "base", "sh", "-c", "echo -n hi"]);
    expect(flags.detach).toBe(true);
    expect(flags.name).toBe("x");
    expect(operands).toEqual(["base", "sh", "-c", "echo -n hi"]);
  });

  test("a flag-looking word after the image is never parsed", () => {
    const { flags, operands } = parseRun(["base", "ls", "-l", "--rm", "-it"]);
    expect(flags.rm).toBe(false);
    expect(flags.interactive).toBe(false);
    expect(operands).toEqual(["base", "ls", "-l", "--rm", "-it"]);
  });

  test("-- ends the flags; a later -- is part of the command", () => {
    expect(parseRun(["--rm", "--", "base", "--", "x"]).operands).toEqual(["base", "--", "x"]);
  });
});

describe("2013 single-dash long flags", () => {
  test("-rm, -name=foo and -cidfile f", () => {
    const { flags, operands } = parseRun(["-rm", "-name=foo", "-cidfile", "f", "base"]);
    expect(flags.rm).toBe(true);
    expect(flags.name).toBe("foo");
    expect(flags.cidfile).toBe("f");
    expect(operands).toEqual(["base"]);
  });

  test("-volumes-from, -entrypoint, -dns, -detach, -net", () => {
    const { flags } = parseRun(["-volumes-from", "a", "-entrypoint", "/bin/sh", "-dns", "1.1.1.1", "-detach", "-net=host", "base"]);
    expect(flags["volumes-from"]).toEqual(["a"]);
    expect(flags.entrypoint).toBe("/bin/sh");
    expect(flags.dns).toEqual(["1.1.1.1"]);
    expect(flags.detach).toBe(true);
    expect(flags.network).toBe("host");
  });

  test("a single-dash word that is no long flag is a cluster of shorts", () => {
    const { flags } = parseRun(["-it", "base"]);
    expect(flags.interactive).toBe(true);
    expect(flags.tty).toBe(true);
  });
});

describe("short flags", () => {
  test("-dit combines three switches", () => {
    const { flags } = parseRun(["-dit", "base"]);
    expect([flags.detach, flags.interactive, flags.tty]).toEqual([true, true, true]);
  });

  test("a value flag takes the rest of the cluster or the next word", () => {
    const { flags } = parseRun(["-eA=1", "-de", "B=2", "-p=80", "base"]);
    expect(flags.env).toEqual(["A=1", "B=2"]);
    expect(flags.detach).toBe(true);
    expect(flags.publish).toEqual(["80"]);
  });

  test("-e repeats and keeps order; --flag=value and --flag value both work", () => {
    const { flags } = parseRun(["-e", "A=1", "--env=B=2", "--env", "C", "base"]);
    expect(flags.env).toEqual(["A=1", "B=2", "C"]);
  });

  test("--rm=false, like pflag's booleans", () => {
    expect(parseRun(["--rm=false", "base"]).flags.rm).toBe(false);
  });
});

describe("errors and help", () => {
  test("unknown long flag", () => {
    expect(() => parseRun(["--bogus", "base"])).toThrow(new UsageError("unknown flag: --bogus"));
  });

  test("unknown short flag", () => {
    expect(() => parseRun(["-iz", "base"])).toThrow(new UsageError("unknown shorthand flag: 'z' in -iz"));
  });

  test("missing value", () => {
    expect(() => parseRun(["--name"])).toThrow(new UsageError("flag needs an argument: --name"));
  });

  test("--help anywhere before the image, -h when the command has no -h", () => {
    expect(parseRun(["--help"]).help).toBe(true);
    expect(parseArgs(["-h"], {}).help).toBe(true);
    expect(parseRun(["-h", "box", "base"]).flags.hostname).toBe("box");
  });

  test("other commands accept flags after operands", () => {
    const defs = { force: { kind: "boolean", short: "f", description: "" } } as const;
    expect(parseArgs(["a", "-f", "b"], defs)).toEqual({ flags: { force: true }, operands: ["a", "b"], help: false });
  });
});
