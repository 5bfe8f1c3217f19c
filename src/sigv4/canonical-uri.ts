import { uriEncode } from './uri-encode.js';

/**
 * The canonical URI for every service but S3: dot segments resolved and empty segments dropped (RFC 3986 5.2.4,
 * as the SDKs do for non-S3 services), then each segment URI-encoded once more. The path arrives already encoded
 * by the client, so this second pass is the "encode twice" of the SigV4 documentation: a key sent as
 * `/a%20b` is signed as `/a%2520b`, and one sent raw as `/a b` (as in the AWS test suite) as `/a%20b`.
 * A trailing slash survives, as it does in the SDKs' normalisation.
 */
export function canonicalUri(path: string): string {
  // IAM, STS and Organizations requests all go to '/'.
  if (path === '/') return path;
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  if (segments.length === 0) return '/';
  const encoded = `/${segments.map((segment) => uriEncode(segment)).join('/')}`;
  return path.endsWith('/') ? `${encoded}/` : encoded;
}
