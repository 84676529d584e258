import { describe, expect, test } from "bun:test";
import { answer, failureFor, parseQuery, RCODE } from "../../src/network/dns/dns-message.ts";

/** A query as resolvers send it: ID 0xbeef, RD set, one question. */
function query(name: string, type = 1): Uint8Array {
  const labels = name.split(".").flatMap((label) => [label.length, ...new TextEncoder().encode(label)]);
  return Uint8Array.from([0xbe, 0xef, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...labels, 0, type >> 8, type & 255, 0, 1]);
}

describe("DNS messages", () => {
  test("a query's question, lower-cased", () => {
    expect(parseQuery(query("Web.Front", 28))).toMatchObject({ id: 0xbeef, name: "web.front", type: 28, class: 1, recursionDesired: true });
  });

  test("malformed, truncated and response messages are not queries", () => {
    expect(parseQuery(new Uint8Array(5))).toBeUndefined();
    expect(parseQuery(query("web").subarray(0, 15))).toBeUndefined();
    const response = query("web");
    response[2] |= 0x80;
    expect(parseQuery(response)).toBeUndefined();
    const compressed = query("web");
    compressed[12] = 0xc0;
    expect(parseQuery(compressed)).toBeUndefined();
  });

  test("an answer repeats the question and carries A records with their TTL", () => {
    const reply = answer(parseQuery(query("web"))!, RCODE.noError, ["10.0.0.2", "10.0.0.3"], 600);
    const view = new DataView(reply.buffer);
    expect(view.getUint16(0)).toBe(0xbeef);
    expect(view.getUint16(2)).toBe(0x8580); // QR, AA, RD, RA, NOERROR
    expect([view.getUint16(4), view.getUint16(6), view.getUint16(8), view.getUint16(10)]).toEqual([1, 2, 0, 0]);
    const first = query("web").length;
    expect(view.getUint16(first)).toBe(0xc00c);
    expect(view.getUint32(first + 6)).toBe(600);
    expect([...reply.subarray(first + 12, first + 16)]).toEqual([10, 0, 0, 2]);
    expect([...reply.subarray(first + 28, first + 32)]).toEqual([10, 0, 0, 3]);
  });

  test("NXDOMAIN has no answers; a SERVFAIL keeps the ID of a query too broken to parse", () => {
    const nx = answer(parseQuery(query("nobody"))!, RCODE.nameError);
    expect(nx[3] & 0x0f).toBe(3);
    expect(new DataView(nx.buffer).getUint16(6)).toBe(0);
    const failed = failureFor(Uint8Array.from([0x12, 0x34, ...new Array(10).fill(0)]))!;
    expect([failed[0], failed[1], failed[3] & 0x0f]).toEqual([0x12, 0x34, 2]);
    expect(failureFor(new Uint8Array(3))).toBeUndefined();
  });
});
