import { describe, expect, test } from "bun:test";
import { AddressPool } from "../../src/network/address-pool.ts";
import { overlaps, parseCidr, subnetOf } from "../../src/network/ipv4.ts";

describe("AddressPool", () => {
  test("hands out every host address but the gateway and broadcast, then refuses", () => {
    const { address, subnet } = parseCidr("10.1.2.1/29");
    const pool = new AddressPool(subnet, address);
    const given = Array.from({ length: 5 }, () => pool.allocate());
    expect(given).toEqual(["10.1.2.2", "10.1.2.3", "10.1.2.4", "10.1.2.5", "10.1.2.6"]);
    expect(() => pool.allocate()).toThrow("no IPv4 address left");
    pool.release("10.1.2.4");
    expect(pool.allocate()).toBe("10.1.2.4");
    expect(pool.size).toBe(5);
  });

  test("goes round before reusing a freed address, and skips claimed ones", () => {
    const { address, subnet } = parseCidr("10.1.2.1/24");
    const pool = new AddressPool(subnet, address);
    pool.claim("10.1.2.3");
    expect(pool.allocate()).toBe("10.1.2.2");
    pool.release("10.1.2.2");
    expect(pool.allocate()).toBe("10.1.2.4");
  });
});

describe("AddressPool with a range and chosen addresses", () => {
  test("allocate stays in the --ip-range; take checks the subnet, the gateway and what is in use", () => {
    const { address, subnet } = parseCidr("10.1.2.1/24");
    const pool = new AddressPool(subnet, address, parseCidr("10.1.2.128/30").subnet);
    expect([pool.allocate(), pool.allocate()]).toEqual(["10.1.2.128", "10.1.2.129"]);
    expect(pool.take("10.1.2.50")).toBe("10.1.2.50");
    expect(() => pool.take("10.1.2.50")).toThrow("Address already in use: 10.1.2.50");
    expect(() => pool.take("10.1.2.1")).toThrow("Address already in use");
    expect(() => pool.take("10.1.3.5")).toThrow("no configured subnet or ip-range contain the IP address 10.1.3.5");
    expect(() => pool.take("10.1.2.255")).toThrow("no configured subnet");
  });
});

describe("ipv4", () => {
  test("overlap of prefixes of different lengths", () => {
    expect(overlaps(subnetOf("172.17.0.0", 16), subnetOf("172.17.3.0", 24))).toBe(true);
    expect(overlaps(subnetOf("172.17.0.0", 16), subnetOf("172.18.0.0", 16))).toBe(false);
  });

  test("CIDR lengths outside 8..30 are refused", () => {
    expect(() => parseCidr("10.0.0.1/31")).toThrow("invalid CIDR");
    expect(() => parseCidr("10.0.0.1")).toThrow("invalid CIDR");
  });
});
