import { sha256Hex } from './payload-hash.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** `date/region/service/aws4_request`: the credential scope without the access key id. */
export function scopeString(date: string, region: string, service: string, terminator = 'aws4_request'): string {
  return `${date}/${region}/${service}/${terminator}`;
}

/** The string to sign: algorithm, request time (basic ISO 8601), credential scope, hex SHA-256 of the canonical request. */
export function stringToSign(timestamp: string, scope: string, canonicalRequest: string): string {
  return `${ALGORITHM}\n${timestamp}\n${scope}\n${sha256Hex(canonicalRequest)}`;
}
