import { SIGV4_MESSAGE_TEMPLATES as T, SigV4Error } from './errors.js';

export interface AuthorizationHeader {
  /** The first word, checked later (AWS reports a missing parameter before a wrong algorithm). */
  algorithm: string;
  credential: string;
  /** Lower-cased header names, in the client's order. */
  signedHeaders: string[];
  signature: string;
}

/**
 * Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. Like AWS, parameters are separated by commas
 * and/or whitespace, so a stray space inside a value ("Credential= AKID/…") shows up as a piece without '='.
 * `hasDate` says whether the request carries X-Amz-Date or Date: AWS reports its absence with the missing
 * parameters, in one IncompleteSignature message that ends by quoting the header.
 */
export function parseAuthorization(header: string, hasDate: boolean): AuthorizationHeader {
  const trimmed = header.trim();
  const space = trimmed.search(/\s/);
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  const rest = space < 0 ? '' : trimmed.slice(space);
  const parameters = new Map<string, string>();
  for (const piece of rest.split(/[\s,]+/)) {
    if (piece === '') continue;
    const equals = piece.indexOf('=');
    if (equals < 0) throw new SigV4Error('IncompleteSignature', T.missingPair(piece, header));
    const name = piece.slice(0, equals);
    if (!parameters.has(name)) parameters.set(name, piece.slice(equals + 1));
  }

  const credential = parameters.get('Credential');
  const signature = parameters.get('Signature');
  // An empty SignedHeaders is still "present"; it then fails the Host check.
  const signedHeaders = parameters.get('SignedHeaders');
  let missing = '';
  if (!credential) missing += `${T.headerRequires('Credential')} `;
  if (!signature) missing += `${T.headerRequires('Signature')} `;
  if (signedHeaders === undefined) missing += `${T.headerRequires('SignedHeaders')} `;
  if (!hasDate) missing += `${T.headerRequiresDate()} `;
  if (missing !== '' || credential === undefined || signature === undefined || signedHeaders === undefined) {
    throw new SigV4Error('IncompleteSignature', `${missing}Authorization=${header}`);
  }
  return { algorithm, credential, signedHeaders: splitSignedHeaders(signedHeaders), signature };
}

export function splitSignedHeaders(value: string): string[] {
  return value
    .split(';')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
}
