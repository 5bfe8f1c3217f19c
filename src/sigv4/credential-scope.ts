import { readAuthParameters } from './auth-parameters.js';
import { SIGV4_MESSAGE_TEMPLATES as T, SigV4Error } from './errors.js';
import type { CredentialScope, SignedRequest } from './types.js';

/** Splits `AKID/yyyymmdd/region/service/aws4_request`; AWS ignores trailing slashes and wants exactly five parts. */
export function splitCredential(credential: string): CredentialScope {
  const parts = credential.replace(/\/+$/, '').split('/');
  if (parts.length !== 5) throw new SigV4Error('IncompleteSignature', T.credentialElements(credential));
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  return { accessKeyId, date, region, service, terminator };
}

export interface ScopeExpectations {
  /** The request's date (yyyymmdd) and time (yyyymmddThhmmssZ), which the scope's date must match. */
  requestDate: string;
  timestamp: string;
  /** Regions this endpoint answers for; any region when absent. */
  regions?: readonly string[];
  /** The service this endpoint is; any service when absent. */
  service?: string;
}

/** AWS lists every scope problem in one SignatureDoesNotMatch message, region first, date last. */
export function checkScope(scope: CredentialScope, expected: ScopeExpectations): void {
  let message = '';
  if (expected.regions !== undefined && !expected.regions.includes(scope.region)) message += T.wrongRegion(scope.region);
  if (expected.service !== undefined && scope.service !== expected.service) message += T.wrongService(expected.service);
  if (scope.terminator !== 'aws4_request') message += T.wrongTerminator(scope.terminator);
  if (scope.date !== expected.requestDate) {
    message += T.wrongDate(scope.date, expected.requestDate, expected.timestamp);
  }
  if (message !== '') throw new SigV4Error('SignatureDoesNotMatch', message);
}

/**
 * The credential scope of a request, from either form, before it is verified: the server routes on the service and
 * looks the secret up by access key id. Throws the same parse errors verifyRequest would (missing authentication,
 * malformed header or query, bad date, malformed credential); verifyRequest does every other check.
 */
export function parseCredentialScope(
  request: Pick<SignedRequest, 'query' | 'headers'>,
): CredentialScope & { presigned: boolean } {
  const auth = readAuthParameters(request);
  return { ...splitCredential(auth.credential), presigned: auth.presigned };
}

/**
 * parseCredentialScope for routing: undefined instead of an error when the request has no usable scope, so the
 * caller can go on to verifyRequest and answer with the error AWS would give in AWS's order of checks.
 */
export function readCredentialScope(
  request: Pick<SignedRequest, 'query' | 'headers'>,
): (CredentialScope & { presigned: boolean }) | undefined {
  try {
    return parseCredentialScope(request);
  } catch (error) {
    if (error instanceof SigV4Error) return undefined;
    throw error;
  }
}
