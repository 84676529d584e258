import { describe, expect, test } from "bun:test";
import { DetachKeyScanner, parseDetachKeys } from "../../src/util/detach-keys.ts";

const bytes = (...xs: number[]) => Uint8Array.from(xs);

describe("detach keys", () => {
  test("parses Docker's key names", () => {
    expect(parseDetachKeys("ctrl-p,ctrl-q")).toEqual([16, 17]);
    expect(parseDetachKeys("ctrl-@,ctrl-_,a")).toEqual([0, 31, 97]);
    expect(() => parseDetachKeys("ctrl-pq")).toThrow("Invalid detach keys");
  });

  test("detaches on the full sequence, even split across chunks, and drops it", () => {
    const scanner = new DetachKeyScanner([16, 17]);
    expect(scanner.feed(bytes(104, 105, 16))).toEqual({ forward: bytes(104, 105), detach: false });
    expect(scanner.feed(bytes(17, 120))).toEqual({ forward: bytes(), detach: true });
  });

  test("passes held-back bytes on when the sequence breaks", () => {
    const scanner = new DetachKeyScanner([16, 17]);
    expect(scanner.feed(bytes(16, 97))).toEqual({ forward: bytes(16, 97), detach: false });
    expect(scanner.feed(bytes(16, 16, 17))).toEqual({ forward: bytes(16), detach: true });
  });

  test("no keys: everything passes", () => {
    expect(new DetachKeyScanner([]).feed(bytes(16, 17))).toEqual({ forward: bytes(16, 17), detach: false });
  });
});
