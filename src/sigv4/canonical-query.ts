import { percentDecode, uriEncode } from './uri-encode.js';

export interface QueryParameter {
  /** As sent, still percent-encoded. */
  rawName: string;
  rawValue: string;
  /** Decoded, for looking parameters up by name. */
  name: string;
  value: string;
}

/** Splits a raw query string; a parameter without '=' has an empty value, and empty pieces ('a=1&&b=2') are dropped. */
export function parseQuery(query: string): QueryParameter[] {
  const parameters: QueryParameter[] = [];
  if (query === '') return parameters;
  for (const piece of query.split('&')) {
    if (piece === '') continue;
    const equals = piece.indexOf('=');
    const rawName = equals < 0 ? piece : piece.slice(0, equals);
    const rawValue = equals < 0 ? '' : piece.slice(equals + 1);
    parameters.push({
      rawName,
      rawValue,
      name: percentDecode(rawName).toString('utf8'),
      value: percentDecode(rawValue).toString('utf8'),
    });
  }
  return parameters;
}

/**
 * The canonical query string: each name and value decoded and re-encoded with SigV4's UriEncode (so `%e1`, `%E1`
 * and a raw byte all sign alike), sorted by encoded name, then by encoded value, joined with '&'. `exclude` names
 * decoded parameters left out, as X-Amz-Signature is for a presigned URL.
 */
export function canonicalQuery(parameters: readonly QueryParameter[], exclude?: ReadonlySet<string>): string {
  if (parameters.length === 0) return '';
  const pairs: Array<[string, string]> = [];
  for (const parameter of parameters) {
    if (exclude?.has(parameter.name)) continue;
    pairs.push([uriEncode(percentDecode(parameter.rawName)), uriEncode(percentDecode(parameter.rawValue))]);
  }
  // Encoded text is ASCII, so comparing UTF-16 code units is comparing bytes, as the specification sorts.
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}
