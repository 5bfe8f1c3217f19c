import { readAuthParameters, type AuthParameters } from './auth-parameters.js';
import { SIGV4_MESSAGE_TEMPLATES as T, SigV4Error } from './errors.js';
import { RecentResults } from './recent.js';
import type { CredentialScope, SignedRequest } from './types.js';

/** Recent credentials with their five parts (never handed out). */
const recentCredentials = new RecentResults<readonly string[]>(8);

/** Splits `AKID/yyyymmdd/region/service/aws4_request`; AWS ignores trailing slashes and wants exactly five parts. */
export function splitCredential(credential: string): CredentialScope {
  let parts = recentCredentials.get(credential);
  if (parts === undefined) {
    parts = (credential.charCodeAt(credential.length - 1) === 0x2f ? credential.replace(/\/+$/, '') : credential).split('/');
    if (parts.length !== 5) throw new SigV4Error('IncompleteSignature', T.credentialElements(credential));
    recentCredentials.set(credential, parts);
  }
  return {
    accessKeyId: parts[0] as string,
    date: parts[1] as string,
    region: parts[2] as string,
    service: parts[3] as string,
    terminator: parts[4] as string,
  };
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
  const scope = splitCredential(auth.credential);
  const result = {
    accessKeyId: scope.accessKeyId,
    date: scope.date,
    region: scope.region,
    service: scope.service,
    terminator: scope.terminator,
    presigned: auth.presigned,
  };
  new ParsedScopeStamp(result, { request, auth, scope });
  return result;
}

/** What reading a scope parsed, kept so that verifyRequest, given the scope back, need not parse the request again. */
export interface ParsedScope {
  request: Pick<SignedRequest, 'query' | 'headers'>;
  auth: AuthParameters;
  scope: CredentialScope;
}

/** A base class whose constructor returns its argument, so that a subclass adds its fields to an existing object. */
class Existing {
  constructor(target: object) {
    return target;
  }
}

/**
 * Attaches the parse to a returned scope as a private field: invisible to property enumeration, JSON and deep
 * equality, so the scope still looks and compares like a plain object. (A WeakMap would do as much but costs the
 * garbage collector several microseconds per request; a non-enumerable property costs a slow defineProperty.)
 */
class ParsedScopeStamp extends Existing {
  readonly #parsed: ParsedScope;

  constructor(target: object, parsed: ParsedScope) {
    super(target);
    this.#parsed = parsed;
  }

  static of(target: object): ParsedScope | undefined {
    return #parsed in target ? (target as ParsedScopeStamp).#parsed : undefined;
  }
}

/** The parse behind a scope parseCredentialScope or readCredentialScope returned for this very request object. */
export function parsedScopeOf(scope: object, request: Pick<SignedRequest, 'query' | 'headers'>): ParsedScope | undefined {
  const parsed = ParsedScopeStamp.of(scope);
  return parsed !== undefined && parsed.request === request ? parsed : undefined;
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
