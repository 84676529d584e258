/**
 * Netlink attributes (struct nlattr): a 4-byte header, the payload, padding to 4 bytes. Shared by
 * the rtnetlink and nfnetlink clients. Numbers are host-endian here; nfnetlink's big-endian
 * values are encoded by its own helpers.
 */

export const align = (n: number) => (n + 3) & ~3;

/** One rtattr: its header, the payload, padded to 4 bytes. */
export function attr(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(align(4 + payload.length));
  const view = new DataView(out.buffer);
  view.setUint16(0, 4 + payload.length, true);
  view.setUint16(2, type, true);
  out.set(payload, 4);
  return out;
}

export const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};
export const stringAttr = (type: number, value: string) => attr(type, new TextEncoder().encode(`${value}\0`));
export const u32Attr = (type: number, value: number) => {
  const payload = new Uint8Array(4);
  new DataView(payload.buffer).setUint32(0, value, true);
  return attr(type, payload);
};

/** A dotted quad as the four bytes netlink carries. */
export function ipv4Bytes(address: string): Uint8Array {
  const parts = address.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${address}`);
  return Uint8Array.from(parts);
}
