import { describe, expect, test } from "bun:test";
import { parseDockerfile } from "../../src/build/dockerfile.ts";
import { expandVariables } from "../../src/build/expand.ts";
import { DockerIgnore } from "../../cli/dockerignore.ts";

describe("Dockerfile parsing", () => {
  test("comments, continuations (comment lines inside them too), flags and the JSON form", () => {
    const { instructions, escape } = parseDockerfile(
      ["# syntax=docker/dockerfile:1", "# a comment", "from base AS one", "RUN echo a \\", "# inside", "", "    b", 'COPY --from=one --chown=1:2 ["a b", "/c/"]', "CMD [not json"].join("\n"),
    );
    expect(escape).toBe("\\");
    expect(instructions.map((i) => i.keyword)).toEqual(["FROM", "RUN", "COPY", "CMD"]);
    expect(instructions[0].args).toBe("base AS one");
    expect(instructions[1].args).toBe("echo a     b");
    expect(instructions[1].line).toBe(4);
    expect(instructions[2].flags).toEqual({ from: "one", chown: "1:2" });
    expect(instructions[2].json).toEqual(["a b", "/c/"]);
    expect(instructions[3].json).toBeUndefined();
  });
  test("the escape directive, only at the top", () => {
    const parsed = parseDockerfile("# escape=`\nFROM base\nRUN dir c:\\ `\n  && echo x");
    expect(parsed.escape).toBe("`");
    expect(parsed.instructions[1].args).toBe("dir c:\\   && echo x");
    expect(parseDockerfile("FROM base\n# escape=`\nRUN a \\\n b").escape).toBe("\\");
  });
  test("an empty Dockerfile is refused", () => {
    expect(() => parseDockerfile("# only a comment\n\n")).toThrow("cannot be empty");
  });
});

describe("variable substitution", () => {
  const env = new Map([["A", "1"], ["B", "two words"], ["E", ""]]);
  test.each([
    ["$A", "1"],
    ["${A}x", "1x"],
    ["${NOPE:-fallback}", "fallback"],
    ["${E:-empty}", "empty"],
    ["${A:+set}", "set"],
    ["${NOPE:+set}", ""],
    ["'$A'", "'$A'"],
    ['"$A and $B"', '"1 and two words"'],
    ["$B", "two\\ words"],
    ["\\$A", "\\$A"],
    ["cost $5", "cost $5"],
  ])("%s -> %s", (input, expected) => {
    expect(expandVariables(input, env)).toBe(expected);
  });
  test("an unclosed brace and an unknown modifier are errors", () => {
    expect(() => expandVariables("${A", env)).toThrow("missing '}'");
    expect(() => expandVariables("${A%%x}", env)).toThrow("unsupported modifier");
  });
});

describe(".dockerignore", () => {
  const ignore = new DockerIgnore("# comment\n*.log\n!keep.log\nbuild/\n**/*.tmp\n/abs\n");
  test.each([
    ["debug.log", true],
    ["keep.log", false],
    ["sub/debug.log", false],
    ["build", true],
    ["build/out.o", true],
    ["a/b/c.tmp", true],
    ["c.tmp", true],
    ["abs", true],
    ["src/main.c", false],
  ])("%s excluded: %p", (path, excluded) => {
    expect(ignore.excludes(path)).toBe(excluded);
  });
});
