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
  /** signedHeaders.join(';'), when the caller has it. */
  signedHeadersLine?: string | undefined;
  payloadHash: string;
}

export function canonicalRequest(input: CanonicalRequestInput): string {
  return (
    input.method.toUpperCase() +
    '\n' +
    canonicalUri(input.path) +
    '\n' +
    canonicalQuery(input.query, input.excludeFromQuery) +
    '\n' +
    canonicalHeaders(input.headers, input.signedHeaders) +
    '\n' +
    (input.signedHeadersLine ?? input.signedHeaders.join(';')) +
    '\n' +
    input.payloadHash
  );
}
