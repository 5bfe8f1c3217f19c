import { uriEncode } from './uri-encode.js';

// Segments of unreserved characters (which URI encoding leaves alone), none of them `.` or `..`, and an optional
// trailing slash. Each segment starts after a `/` that nothing else matches: the match is linear.
const CANONICAL_AS_IS = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9\-._~]+)+\/?$/;

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
  // Most paths (every one Gatehouse serves) are already canonical: no empty, `.` or `..` segment, and nothing the
  // second encoding would change.
  if (CANONICAL_AS_IS.test(path)) return path;
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
