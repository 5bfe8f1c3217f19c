import { sha256Hex } from './payload-hash.js';
import { deriveSigningKey, signatureFor } from './signing-key.js';
import { ALGORITHM, scopeString, stringToSign } from './string-to-sign.js';
import { formatAmzDate } from './timestamp.js';
import { uriEncode } from './uri-encode.js';

/**
 * A small SigV4 signer for Gatehouse's own clients (the `gatehouse register-*` commands). It builds the canonical
 * request by itself rather than through the verifier's code, so that the tests checking one against the other (and
 * against AWS's suite) check two implementations, not one.
 */

export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

export interface RequestToSign {
  readonly method: string;
  /** The absolute URL; its host (and port, unless the scheme's default) becomes the Host header. */
  readonly url: string;
  /** Further headers to send and sign (names in any case). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

export interface SigningOptions {
  readonly credentials: SigningCredentials;
  readonly region: string;
  readonly service: string;
  readonly now: Date;
}

/** Every header of the request, as the caller gave them plus Host, X-Amz-Date and any X-Amz-Security-Token. */
export type SignedHeaders = Record<string, string>;

/**
 * The path as it goes on the wire (URL has percent-encoded it and resolved dot segments), each segment encoded once
 * more: SigV4's "encode twice" for every service but S3. Empty segments are dropped, a trailing slash kept.
 */
function canonicalPath(pathname: string): string {
  const segments = pathname.split('/').filter((segment) => segment !== '');
  if (segments.length === 0) return '/';
  const encoded = `/${segments.map((segment) => uriEncode(segment)).join('/')}`;
  return pathname.endsWith('/') ? `${encoded}/` : encoded;
}

/** The query as sent, each name and value decoded (a '+' stays a '+', as the server reads it) and encoded again. */
function canonicalQueryString(search: string): string {
  const pairs: Array<[string, string]> = [];
  for (const part of search.replace(/^\?/, '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? '' : part.slice(eq + 1);
    pairs.push([uriEncode(decodeURIComponent(name)), uriEncode(decodeURIComponent(value))]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** Trims a header value and folds inner runs of spaces into one, as the canonical headers list wants. */
function canonicalValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

/**
 * The headers to send: the given ones with Host, X-Amz-Date, X-Amz-Security-Token (for temporary credentials) and
 * Authorization added, every one of them signed.
 */
export function signRequest(request: RequestToSign, options: SigningOptions): SignedHeaders {
  const url = new URL(request.url);
  const timestamp = formatAmzDate(options.now);
  const headers: SignedHeaders = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  headers['host'] = url.host;
  headers['x-amz-date'] = timestamp;
  if (options.credentials.sessionToken !== undefined) headers['x-amz-security-token'] = options.credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((name) => `${name}:${canonicalValue(headers[name] as string)}\n`).join('');
  const signedHeaders = names.join(';');
  const body = request.body ?? '';
  const canonical = [
    request.method.toUpperCase(),
    canonicalPath(url.pathname),
    canonicalQueryString(url.search),
    canonicalHeaders,
    signedHeaders,
    sha256Hex(typeof body === 'string' ? Buffer.from(body, 'utf8') : body),
  ].join('\n');
  const date = timestamp.slice(0, 8);
  const scope = scopeString(date, options.region, options.service);
  const key = deriveSigningKey(options.credentials.secretAccessKey, date, options.region, options.service);
  const signature = signatureFor(key, stringToSign(timestamp, scope, canonical));
  headers['authorization'] = `${ALGORITHM} Credential=${options.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
