import { percentDecode, uriEncode } from './uri-encode.js';

const UNRESERVED_PATH = /^[A-Za-z0-9\-._~/]+$/;

/**
 * S3's canonical URI: the path exactly as sent, no dot segments resolved, no empty segments dropped, each segment
 * URI-encoded once (S3 object keys may contain `//`, `.` and `..`; the SDKs sign them as they are). The path arrives
 * encoded by the client, so each segment is decoded first and encoded again: `%2a`, `%2A` and a raw byte sign alike.
 */
export function s3CanonicalUri(path: string): string {
  if (path === '') return '/';
  // The usual key (letters, digits, `-._~`, slashes) decodes to itself and encodes back unchanged.
  if (UNRESERVED_PATH.test(path)) return path;
  const segments = path.split('/');
  let out = '';
  for (let i = 0; i < segments.length; i++) {
    if (i > 0) out += '/';
    const segment = segments[i] as string;
    if (segment !== '') out += uriEncode(percentDecode(segment));
  }
  return out;
}
