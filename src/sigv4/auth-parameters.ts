import { indexHeaders, type HeaderIndex } from './canonical-headers.js';
import { parseQuery, type QueryParameter } from './canonical-query.js';
import { SIGV4_MESSAGES as M, SIGV4_MESSAGE_TEMPLATES as T, SigV4Error } from './errors.js';
import { parseAuthorization } from './parse-authorization.js';
import { isPresigned, parsePresigned } from './parse-presigned.js';
import { formatAmzDate, parseAmzDate, parseHttpDate } from './timestamp.js';
import type { SignedRequest } from './types.js';

/** What either form of SigV4 authentication says, before anything is checked against a clock, a key or a secret. */
export interface AuthParameters {
  presigned: boolean;
  algorithm: string;
  credential: string;
  signedHeaders: string[];
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
  const headers = indexHeaders(request.headers);
  const query = parseQuery(request.query);
  const authorization = headers.get('authorization')?.[0];

  if (authorization !== undefined) {
    const amzDate = headers.get('x-amz-date')?.[0];
    const httpDate = headers.get('date')?.[0];
    const parsed = parseAuthorization(authorization, amzDate !== undefined || httpDate !== undefined);
    const time = amzDate !== undefined ? readTime(amzDate, true) : readTime(httpDate ?? '', false);
    const result: AuthParameters = {
      presigned: false,
      ...parsed,
      timestamp: amzDate ?? formatAmzDate(time),
      time,
      headers,
      query,
    };
    const securityToken = headers.get('x-amz-security-token')?.[0];
    if (securityToken !== undefined) result.securityToken = securityToken;
    return result;
  }

  if (isPresigned(query)) {
    const { date, ...parsed } = parsePresigned(query);
    return { presigned: true, ...parsed, timestamp: date, time: readTime(date, true), headers, query };
  }

  throw new SigV4Error('MissingAuthenticationToken', M.missingAuthenticationToken);
}
