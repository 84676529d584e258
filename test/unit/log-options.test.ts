import { describe, expect, test } from "bun:test";
import { InvalidArgumentError } from "../../src/errors.ts";
import { DEFAULT_ROTATION, logRotation, nextBatch, parseSize, rotatedPath } from "../../src/container/log-options.ts";

describe("log options", () => {
  test("sizes in Docker's binary units", () => {
    expect(parseSize("10m")).toBe(10 * 1024 * 1024);
    expect(parseSize("512k")).toBe(512 * 1024);
    expect(parseSize("1.5g")).toBe(1.5 * 1024 ** 3);
    expect(parseSize("2MiB")).toBe(2 * 1024 * 1024);
    expect(parseSize("100")).toBe(100);
    expect(() => parseSize("lots")).toThrow(InvalidArgumentError);
  });

  test("defaults fill what the config leaves out", () => {
    expect(logRotation({})).toEqual(DEFAULT_ROTATION);
    expect(logRotation(undefined)).toEqual(DEFAULT_ROTATION);
    expect(logRotation({ "max-size": "10m" })).toEqual({ maxSize: 10 * 1024 * 1024, maxFiles: DEFAULT_ROTATION.maxFiles });
    expect(logRotation({ "max-size": "1k", "max-file": "2" })).toEqual({ maxSize: 1024, maxFiles: 2 });
  });

  test("invalid options are refused", () => {
    expect(() => logRotation({ "max-file": "0" })).toThrow("max-file cannot be less than 1");
    expect(() => logRotation({ "max-file": "two" })).toThrow("invalid value for max-file");
    expect(() => logRotation({ "max-size": "0" })).toThrow("max-size must be a positive number");
    expect(() => logRotation({ compress: "true" })).toThrow("unknown log opt 'compress'");
  });

  test("rotated files are numbered after the live one", () => {
    expect(rotatedPath("/c/x-json.log", 2)).toBe("/c/x-json.log.2");
  });
});

describe("the writer's batches", () => {
  test("lines that fit go out together", () => {
    expect(nextBatch([10, 10, 10], 0, 100)).toEqual({ rotateFirst: false, count: 3 });
  });

  test("a batch stops where the file would overflow", () => {
    expect(nextBatch([10, 10, 10], 75, 100)).toEqual({ rotateFirst: false, count: 2 });
  });

  test("a full file rotates first, and the batch fills the new one", () => {
    expect(nextBatch([30, 30, 30, 30], 90, 100)).toEqual({ rotateFirst: true, count: 3 });
  });

  test("a line larger than a file still goes out, alone, into a fresh file", () => {
    expect(nextBatch([500, 10], 0, 100)).toEqual({ rotateFirst: false, count: 1 });
    expect(nextBatch([500, 10], 40, 100)).toEqual({ rotateFirst: true, count: 1 });
  });

  test("writing every batch never leaves a file over its size", () => {
    const lengths = Array.from({ length: 1000 }, (_, i) => 1 + ((i * 37) % 50));
    const files: number[] = [0];
    while (lengths.length) {
      const { rotateFirst, count } = nextBatch(lengths, files[files.length - 1], 200);
      if (rotateFirst) files.push(0);
      files[files.length - 1] += lengths.splice(0, count).reduce((a, b) => a + b, 0);
    }
    expect(Math.max(...files)).toBeLessThanOrEqual(200);
    expect(files.slice(0, -1).every((size) => size > 150)).toBe(true);
  });
});
