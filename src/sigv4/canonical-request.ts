import { canonicalHeaders, type HeaderIndex } from './canonical-headers.js';
import { canonicalQuery, type QueryParameter } from './canonical-query.js';
import { canonicalUri } from './canonical-uri.js';

export interface CanonicalRequestInput {
  method: string;
  path: string;
  query: readonly QueryParameter[];
  /** Decoded query parameter names to leave out (X-Amz-Signature for a presigned URL). */
  excludeFromQuery?: ReadonlySet<string>;
  headers: HeaderIndex;
  signedHeaders: readonly string[];
  payloadHash: string;
}

export function canonicalRequest(input: CanonicalRequestInput): string {
  return [
    input.method.toUpperCase(),
    canonicalUri(input.path),
    canonicalQuery(input.query, input.excludeFromQuery),
    canonicalHeaders(input.headers, input.signedHeaders),
    input.signedHeaders.join(';'),
    input.payloadHash,
  ].join('\n');
}
