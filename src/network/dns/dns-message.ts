/**
 * The few DNS wire-format pieces the embedded server needs (RFC 1035): the question of a
 * query, and answers built from it — A records, an empty answer, NXDOMAIN or SERVFAIL.
 */

export const TYPE_A = 1;
export const TYPE_AAAA = 28;
const CLASS_IN = 1;
const HEADER = 12;

export const RCODE = { noError: 0, serverFailure: 2, nameError: 3, notImplemented: 4 } as const;

export interface Question {
  id: number;
  /** Lower-cased, without the trailing dot. */
  name: string;
  type: number;
  class: number;
  /** The query's bytes up to the end of its question, which an answer repeats. */
  head: Uint8Array;
  /** Whether the client asked for recursion. */
  recursionDesired: boolean;
}

/** The first question of a query, or undefined for anything that is not a well-formed one-question query. */
export function parseQuery(message: Uint8Array): Question | undefined {
  if (message.length < HEADER) return undefined;
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const flags = view.getUint16(2);
  if (flags & 0x8000 || view.getUint16(4) !== 1) return undefined; // a response, or not one question
  const labels: string[] = [];
  let at = HEADER;
  for (;;) {
    if (at >= message.length) return undefined;
    const length = message[at++];
    if (length === 0) break;
    if (length > 63 || at + length > message.length) return undefined; // compression has no place in a question
    labels.push(new TextDecoder().decode(message.subarray(at, at + length)));
    at += length;
  }
  if (at + 4 > message.length) return undefined;
  return {
    id: view.getUint16(0),
    name: labels.join(".").toLowerCase(),
    type: view.getUint16(at),
    class: view.getUint16(at + 2),
    head: message.subarray(0, at + 4),
    recursionDesired: (flags & 0x0100) !== 0,
  };
}

/** The answer to `question`: its A records (`addresses`, each with `ttl`), or none with `rcode`. */
export function answer(question: Question, rcode: number, addresses: string[] = [], ttl = 600): Uint8Array {
  const records = addresses.map((address) => {
    const record = new Uint8Array(16);
    const view = new DataView(record.buffer);
    view.setUint16(0, 0xc000 | HEADER); // the name: a pointer to the question's
    view.setUint16(2, TYPE_A);
    view.setUint16(4, CLASS_IN);
    view.setUint32(6, ttl);
    view.setUint16(10, 4);
    record.set(address.split(".").map(Number), 12);
    return record;
  });
  const out = new Uint8Array(question.head.length + records.length * 16);
  out.set(question.head);
  records.forEach((record, i) => out.set(record, question.head.length + i * 16));
  const view = new DataView(out.buffer);
  // QR, the query's opcode, AA, RD as asked, RA, and the code; one question, the answers, nothing else.
  view.setUint16(2, 0x8000 | (question.head[2] & 0x78) << 8 | 0x0400 | (question.recursionDesired ? 0x0100 : 0) | 0x0080 | rcode);
  view.setUint16(6, records.length);
  view.setUint16(8, 0);
  view.setUint16(10, 0);
  return out;
}

/** A SERVFAIL for a query too malformed to parse but long enough to carry an ID, or nothing. */
export function failureFor(message: Uint8Array): Uint8Array | undefined {
  if (message.length < HEADER) return undefined;
  const out = new Uint8Array(HEADER);
  out.set(message.subarray(0, 2));
  new DataView(out.buffer).setUint16(2, 0x8000 | RCODE.serverFailure);
  return out;
}
