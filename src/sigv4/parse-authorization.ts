import { SIGV4_MESSAGE_TEMPLATES as T, SigV4Error } from './errors.js';
import { RecentResults } from './recent.js';

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
  const parsed = readAuthorization(header, hasDate);
  return { algorithm: parsed.algorithm, credential: parsed.credential, signedHeaders: parsed.signedHeaders, signature: parsed.signature };
}

/** parseAuthorization, plus the signed headers as the canonical request lists them when the header has them so. */
export function readAuthorization(header: string, hasDate: boolean): AuthorizationHeader & { signedHeadersLine?: string } {
  return (hasDate ? parseUsualLayout(header) : undefined) ?? parseAuthorizationSlowly(header, hasDate);
}

/**
 * The layout every SDK sends: `<algorithm> Credential=…, SignedHeaders=…, Signature=…`, nothing before or after. In
 * a header of this shape every piece has an '=' and each name occurs once, so the general parser below would find
 * exactly these groups (the character classes exclude what its separator, /[\s,]+/, splits on); one regex match
 * replaces its trim, split and map. Anything else takes the general parser, which reports problems.
 */
const USUAL_LAYOUT = /^(\S+) Credential=([^\s,]+), ?SignedHeaders=([^\s,]*), ?Signature=([^\s,]+)$/;

/** Recent SignedHeaders values that split(';') alone turns into the list, with that list (never handed out). */
const recentLists = new RecentResults<readonly string[]>(8);

function parseUsualLayout(header: string): (AuthorizationHeader & { signedHeadersLine?: string }) | undefined {
  const match = USUAL_LAYOUT.exec(header);
  if (match === null) return undefined;
  const signedHeaders = match[3] as string;
  const result: AuthorizationHeader & { signedHeadersLine?: string } = {
    algorithm: match[1] as string,
    credential: match[2] as string,
    signedHeaders: [],
    signature: match[4] as string,
  };
  let names = recentLists.get(signedHeaders);
  if (names === undefined && PLAIN_HEADER_LIST.test(signedHeaders)) {
    names = signedHeaders.split(';');
    recentLists.set(signedHeaders, names);
  }
  if (names !== undefined) {
    // Already the canonical list: its names joined with ';' give it back.
    result.signedHeaders = names.slice();
    result.signedHeadersLine = signedHeaders;
  } else {
    result.signedHeaders = splitSignedHeaders(signedHeaders);
  }
  return result;
}

function parseAuthorizationSlowly(header: string, hasDate: boolean): AuthorizationHeader {
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
  // The usual list (lower-case ASCII names, no spaces, no empty names) needs only the split.
  if (PLAIN_HEADER_LIST.test(value)) return value.split(';');
  return value
    .split(';')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
}

/** Names that split(';') alone leaves as the general path would: no empty name, no space to trim, no upper case. */
const PLAIN_HEADER_LIST = /^[!-:<-@[-~]+(?:;[!-:<-@[-~]+)*$/;
