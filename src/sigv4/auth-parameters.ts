import { indexHeaders, type HeaderIndex } from './canonical-headers.js';
import { parseQuery, type QueryParameter } from './canonical-query.js';
import { SIGV4_MESSAGES as M, SIGV4_MESSAGE_TEMPLATES as T, SigV4Error } from './errors.js';
import { readAuthorization } from './parse-authorization.js';
import { isPresigned, parsePresigned } from './parse-presigned.js';
import { formatAmzDate, parseAmzDate, parseHttpDate } from './timestamp.js';
import type { SignedRequest } from './types.js';

/** What either form of SigV4 authentication says, before anything is checked against a clock, a key or a secret. */
export interface AuthParameters {
  presigned: boolean;
  algorithm: string;
  credential: string;
  signedHeaders: string[];
  /** signedHeaders.join(';'), when the request happened to send exactly that. */
  signedHeadersLine?: string;
  signature: string;
  /** The request time as it enters the string to sign (yyyymmddThhmmssZ). */
  timestamp: string;
  time: Date;
  /** X-Amz-Expires of a presigned URL, in seconds. */
  expires?: number;
  securityToken?: string;
  headers: HeaderIndex;
  query: QueryParameter[];
}

function readTime(value: string, basic: boolean): Date {
  const time = basic ? parseAmzDate(value) : parseHttpDate(value);
  if (!time) throw new SigV4Error('IncompleteSignature', T.badDate(value));
  return time;
}

/**
 * Finds and parses the request's authentication: the Authorization header when there is one (it wins over query
 * parameters), else a presigned query (X-Amz-Algorithm present), else MissingAuthenticationToken.
 */
export function readAuthParameters(request: Pick<SignedRequest, 'query' | 'headers'>): AuthParameters {
  // One pass for the names, lower-cased, and the first value of each header read here.
  const raw = request.headers;
  const names: string[] = [];
  let authorization: string | undefined;
  let amzDate: string | undefined;
  let httpDate: string | undefined;
  let securityToken: string | undefined;
  for (let i = 0; i < raw.length; i++) {
    const header = raw[i] as readonly [string, string];
    const name = header[0].toLowerCase();
    names.push(name);
    if (name === 'authorization') authorization ??= header[1];
    else if (name === 'x-amz-date') amzDate ??= header[1];
    else if (name === 'date') httpDate ??= header[1];
    else if (name === 'x-amz-security-token') securityToken ??= header[1];
  }
  const headers = indexHeaders(raw, names);
  const query = parseQuery(request.query);

  if (authorization !== undefined) {
    const parsed = readAuthorization(authorization, amzDate !== undefined || httpDate !== undefined);
    const time = amzDate !== undefined ? readTime(amzDate, true) : readTime(httpDate ?? '', false);
    const result: AuthParameters = {
      presigned: false,
      algorithm: parsed.algorithm,
      credential: parsed.credential,
      signedHeaders: parsed.signedHeaders,
      signature: parsed.signature,
      timestamp: amzDate ?? formatAmzDate(time),
      time,
      headers,
      query,
    };
    if (parsed.signedHeadersLine !== undefined) result.signedHeadersLine = parsed.signedHeadersLine;
    if (securityToken !== undefined) result.securityToken = securityToken;
    return result;
  }

  if (isPresigned(query)) {
    const { date, ...parsed } = parsePresigned(query);
    return { presigned: true, ...parsed, timestamp: date, time: readTime(date, true), headers, query };
  }

  throw new SigV4Error('MissingAuthenticationToken', M.missingAuthenticationToken);
}
