import { describe, expect, test } from "bun:test";
import { InvalidArgumentError, NotFoundError } from "../../src/errors.ts";
import { IdIndex } from "../../src/util/id-index.ts";
import { newId } from "../../src/util/ids.ts";

const id = (prefix: string) => prefix.padEnd(64, "0");

describe("IdIndex", () => {
  test("finds an ID by any unique prefix, including the whole ID", () => {
    const index = new IdIndex();
    index.add(id("abc1"));
    index.add(id("abd2"));
    expect(index.get("abc")).toBe(id("abc1"));
    expect(index.get("abd2")).toBe(id("abd2"));
    expect(index.get(id("abc1"))).toBe(id("abc1"));
  });

  test("an ambiguous prefix is an error of its own", () => {
    const index = new IdIndex();
    index.add(id("abc1"));
    index.add(id("abc2"));
    expect(() => index.get("ab")).toThrow(new InvalidArgumentError("multiple IDs found with provided prefix: ab"));
  });

  test("no match, an empty prefix and a malformed ID", () => {
    const index = new IdIndex();
    index.add(id("abc1"));
    expect(() => index.get("abd")).toThrow(NotFoundError);
    expect(() => index.get("zz")).toThrow(NotFoundError);
    expect(() => index.get("")).toThrow(InvalidArgumentError);
    expect(() => index.add("xyz")).toThrow(InvalidArgumentError);
  });

  test("delete, has and duplicate adds", () => {
    const index = new IdIndex();
    index.add(id("abc1"));
    index.add(id("abc1"));
    index.add(id("abc2"));
    expect(index.size).toBe(2);
    index.delete(id("abc2"));
    index.delete(id("ffff"));
    expect(index.has(id("abc2"))).toBe(false);
    expect(index.get("a")).toBe(id("abc1"));
  });

  test("stays fast and right with thousands of IDs", () => {
    const index = new IdIndex();
    const ids = Array.from({ length: 5000 }, () => newId());
    const started = performance.now();
    for (const each of ids) index.add(each);
    for (const each of ids) expect(index.get(each.slice(0, 12))).toBe(each);
    for (const each of ids.slice(0, 2500)) index.delete(each);
    expect(index.size).toBe(2500);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
