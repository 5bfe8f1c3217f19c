import ipaddr from 'ipaddr.js';
import { plainText, type OperatorFamily, type ValueTest } from './family.js';
import type { ResolvedPart } from '../variables.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

// `process` unwraps IPv4-mapped IPv6 (::ffff:10.0.0.1), so a dual-stack request address still meets an IPv4 range.
function parseAddress(text: string): Address | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (ipaddr.IPv6.isValid(text)) return ipaddr.process(text);
  return undefined;
}

/** A CIDR block or a single address (a /32 or /128), as IAM accepts; undefined when neither. */
export function parseRange(text: string): [Address, number] | undefined {
  const trimmed = text.trim();
  if (trimmed.includes('/')) {
    if (!ipaddr.isValidCIDR(trimmed)) return undefined;
    const [addr, bits] = ipaddr.parseCIDR(trimmed);
    if (addr.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(trimmed.split('/')[0] ?? '')) return undefined;
    return [addr, bits];
  }
  const addr = parseAddress(trimmed);
  if (addr === undefined) return undefined;
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}

function inRange(parts: readonly ResolvedPart[]): ValueTest | undefined {
  const range = parseRange(plainText(parts));
  if (range === undefined) return undefined;
  const [network, bits] = range;
  return (value) => {
    const addr = parseAddress(value.trim());
    return addr !== undefined && addr.kind() === network.kind() && addr.match(network, bits);
  };
}

export const IP_OPERATORS: OperatorFamily = {
  IpAddress: { negated: false, usesVariables: false, compile: inRange },
  NotIpAddress: { negated: true, usesVariables: false, compile: inRange },
};
