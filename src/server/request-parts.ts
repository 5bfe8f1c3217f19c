import type { IncomingMessage } from 'node:http';
import { ServiceError } from '../core/errors.js';
import { clientProtocol, type ClientProtocol } from '../protocol/client-protocol.js';
import type { SignedRequest } from '../sigv4/verify.js';

// The parts of a request the gateway reads before it knows which service is asked: headers, session token, and the
// protocol of a client Gatehouse does not serve.

/** The services the gateway answers, by their signing names. */
export type Service = 'iam' | 'sts' | 'organizations' | 'cloudtrail';

// Compared, not looked up in a Set: the scope's service is a fresh substring each request, and hashing it costs more.
export const isService = (name: string): name is Service => name === 'iam' || name === 'sts' || name === 'organizations' || name === 'cloudtrail';

/**
 * The protocol to answer a request in that is not for IAM or STS: another service's, by its signing scope, or an
 * unsigned request that plainly speaks JSON. Undefined for everything else, answered as IAM and STS answer.
 */
export function foreignProtocol(scopeService: string | undefined, method: string, headers: ReadonlyArray<readonly [string, string]>, query: string): ClientProtocol | undefined {
  if (scopeService !== undefined && isService(scopeService)) return undefined;
  const hints = { method, query, contentType: headerValue(headers, 'content-type'), target: headerValue(headers, 'x-amz-target') };
  const protocol = clientProtocol(scopeService === undefined ? hints : { ...hints, service: scopeService });
  if (scopeService === undefined && protocol !== 'awsJson') return undefined;
  return protocol;
}

/** A service this server does not serve, in words the client prints as they are. */
export function serviceNotServed(service: string): ServiceError {
  return new ServiceError('ServiceNotServed', `Gatehouse serves IAM, STS, Organizations and CloudTrail (LookupEvents); this endpoint does not serve ${service}.`, 400);
}

/** The first value of a header among the lower-cased pairs (node builds `req.headers` only when asked: we don't). */
export function headerValue(pairs: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  for (const [key, value] of pairs) if (key === name) return value;
  return undefined;
}

export function headerPairs(req: IncomingMessage): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([(raw[i] as string).toLowerCase(), raw[i + 1] as string]);
  return pairs;
}

/** The session token, from the header or (presigned) the query string; undefined when the request has none. */
export function securityTokenOf(signed: SignedRequest): string | undefined {
  const header = signed.headers.find(([name]) => name === 'x-amz-security-token');
  if (header !== undefined) return header[1];
  for (const pair of signed.query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq) === 'X-Amz-Security-Token') {
      try {
        return decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, '%20'));
      } catch {
        // A malformed escape cannot be a token Gatehouse issued: it fails as an invalid token, not a server error.
        return pair.slice(eq + 1);
      }
    }
  }
  return undefined;
}
