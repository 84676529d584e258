/** IPv4 arithmetic for the bridge's subnet: dotted quads as 32-bit numbers, CIDR prefixes, overlap. */
import { InvalidArgumentError } from "../errors.ts";

export interface Subnet {
  /** The network address as a number. */
  base: number;
  prefixLength: number;
}

export function toNumber(address: string): number {
  const parts = address.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new InvalidArgumentError(`invalid IPv4 address: ${address}`);
  }
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function toDotted(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export function mask(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

export function subnetOf(address: string, prefixLength: number): Subnet {
  return { base: (toNumber(address) & mask(prefixLength)) >>> 0, prefixLength };
}

/** `10.1.0.1/24` → the address and its subnet. */
export function parseCidr(cidr: string): { address: string; subnet: Subnet } {
  const [address, length] = cidr.split("/");
  const prefixLength = Number(length);
  if (length === undefined || !Number.isInteger(prefixLength) || prefixLength < 8 || prefixLength > 30) {
    throw new InvalidArgumentError(`invalid CIDR ${cidr}: expected ADDRESS/LENGTH with a length from 8 to 30`);
  }
  return { address, subnet: subnetOf(address, prefixLength) };
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  const shorter = Math.min(a.prefixLength, b.prefixLength);
  return ((a.base & mask(shorter)) >>> 0) === ((b.base & mask(shorter)) >>> 0);
}

export function formatSubnet(subnet: Subnet): string {
  return `${toDotted(subnet.base)}/${subnet.prefixLength}`;
}
