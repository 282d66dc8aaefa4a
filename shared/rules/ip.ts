// IPv4 and IPv6 addresses and CIDR ranges as bigints: no regex tricks, no locale, no I/O.
// IPv4-mapped IPv6 addresses (::ffff:192.0.2.1) are compared as the IPv4 address they carry.

import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr {
  readonly v6: boolean;
  readonly base: bigint;
  readonly bits: number;
}

interface Address {
  readonly v6: boolean;
  readonly value: bigint;
}

const parseV4 = (text: string): bigint =>
  text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);

const parseV6 = (text: string): bigint => {
  // A dotted IPv4 tail (::ffff:192.0.2.1) becomes its two hex groups first.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let body = text;
  if (dotted) {
    const v4 = parseV4(dotted[2] ?? '');
    body = `${dotted[1] ?? ''}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = body.split('::');
  const headParts = head === '' ? [] : head.split(':');
  const restParts = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - headParts.length - restParts.length;
  const groups = [...headParts, ...Array<string>(rest === undefined ? 0 : missing).fill('0'), ...restParts];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
};

export const parseAddress = (text: string): Address | undefined => {
  const clean = text.trim();
  if (isIPv4(clean)) return { v6: false, value: parseV4(clean) };
  if (isIPv6(clean) && !clean.includes('%')) {
    const value = parseV6(clean);
    if (value >> 32n === 0xffffn) return { v6: false, value: value & 0xffffffffn };
    return { v6: true, value };
  }
  return undefined;
};

export const parseCidr = (text: string): Cidr | undefined => {
  const [addr = '', bitsText, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const isV6Text = addr.includes(':');
  const address = parseAddress(addr);
  if (!address) return undefined;
  const width = isV6Text ? 128 : 32;
  if (bitsText !== undefined && !/^(0|[1-9][0-9]{0,2})$/.test(bitsText)) return undefined;
  const bits = bitsText === undefined ? width : Number(bitsText);
  if (bits > width) return undefined;
  // An IPv4-mapped IPv6 range (::ffff:10.0.0.0/104) is the IPv4 range it covers.
  if (isV6Text && !address.v6) {
    if (bits < 96) return undefined;
    return { v6: false, base: mask(address.value, bits - 96, 32), bits: bits - 96 };
  }
  return { v6: address.v6, base: mask(address.value, bits, width), bits };
};

const mask = (value: bigint, bits: number, width: number): bigint => {
  const hostBits = BigInt(width - bits);
  return (value >> hostBits) << hostBits;
};

export const inCidr = (addressText: string, cidr: Cidr): boolean => {
  const address = parseAddress(addressText);
  if (!address || address.v6 !== cidr.v6) return false;
  return mask(address.value, cidr.bits, cidr.v6 ? 128 : 32) === cidr.base;
};

/** Used by the config check so that no silently-unparseable range reaches the engine. */
export const isValidCidr = (text: string): boolean => parseCidr(text) !== undefined;
