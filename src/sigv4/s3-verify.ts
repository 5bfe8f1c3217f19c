import { sameSignature } from './same-signature.js';
import { readAuthParameters, type AuthParameters } from './auth-parameters.js';
import { canonicalHeaders } from './canonical-headers.js';
import { canonicalQuery } from './canonical-query.js';
import { splitCredential } from './credential-scope.js';
import { SigV4Error } from './errors.js';
import { s3CanonicalUri } from './s3-canonical-uri.js';
import { S3_MESSAGES, S3AuthError, translateToS3 } from './s3-errors.js';
import { readS3Payload, type S3Payload } from './s3-payload.js';
import { SigningKeyCache } from './signing-key.js';
import { ALGORITHM, scopeString, stringToSign } from './string-to-sign.js';
import type { CredentialScope, SignedRequest } from './types.js';

/**
 * A request as a service received it, forwarded for verification: everything SigV4 signs except the body, whose
 * SHA-256 the service may give (it has the bytes; Gatehouse need not). Without `bodySha256`, a declared hash is
 * left for the service to compare as it reads the body (see S3Verified.payload).
 */
export interface ForwardedRequest extends Pick<SignedRequest, 'method' | 'path' | 'query' | 'headers'> {
  /** Lower-case hex SHA-256 of the body as received, when the service computed it. */
  bodySha256?: string;
}

export interface S3VerifyOptions {
  now: Date;
  /** The secret for a key (with the request's session token); undefined when unknown. May throw an S3AuthError. */
  secretFor(accessKeyId: string, securityToken: string | undefined): string | undefined;
  /** The service the credential scope must name: `s3` by default. */
  service?: string;
  /** Regions this store answers for; any when absent. */
  regions?: readonly string[];
  /** 15 minutes by default, as S3. */
  maxSkewMs?: number;
  signingKeys?: SigningKeyCache;
}

export interface S3Verified {
  accessKeyId: string;
  securityToken?: string;
  region: string;
  service: string;
  /** yyyymmdd and yyyymmddThhmmssZ of the request. */
  date: string;
  timestamp: string;
  presigned: boolean;
  signedHeaders: string[];
  /** The request's signature: the seed signature that chunk signatures chain from. */
  signature: string;
  /** `date/region/service/aws4_request`. */
  scope: string;
  payload: S3Payload;
  /** The derived signing key: chunk signatures are checked with it. Never leaves the process unless handed on. */
  signingKey: Buffer;
}

const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;
const defaultSigningKeys = new SigningKeyCache();
const PRESIGNED_SIGNATURE = new Set(['X-Amz-Signature']);

function readAuth(request: ForwardedRequest): AuthParameters | undefined {
  try {
    return readAuthParameters(request);
  } catch (error) {
    if (error instanceof SigV4Error && error.code === 'MissingAuthenticationToken') return undefined;
    if (error instanceof SigV4Error) throw translateToS3(error, /(^|&)X-Amz-Algorithm=/.test(request.query) && !request.headers.some(([n]) => n === 'authorization'));
    throw error;
  }
}

function checkS3Clock(auth: AuthParameters, now: Date, maxSkewMs: number): void {
  const requestMs = auth.time.getTime();
  const nowMs = now.getTime();
  if (auth.presigned) {
    if (auth.expires === undefined) throw new S3AuthError('AuthorizationQueryParametersError', S3_MESSAGES.queryMalformed);
    // A presigned URL is good from its date for X-Amz-Expires seconds (up to seven days), not only within the skew.
    if (nowMs > requestMs + auth.expires * 1000) throw new S3AuthError('AccessDenied', S3_MESSAGES.requestExpired);
    if (requestMs > nowMs + maxSkewMs) throw new S3AuthError('AccessDenied', 'Request is not valid yet');
    return;
  }
  if (Math.abs(requestMs - nowMs) > maxSkewMs) throw new S3AuthError('RequestTimeTooSkewed', S3_MESSAGES.requestTimeTooSkewed);
}

function checkS3Scope(scope: CredentialScope, auth: AuthParameters, options: S3VerifyOptions): void {
  const malformed = (message: string): S3AuthError =>
    new S3AuthError(auth.presigned ? 'AuthorizationQueryParametersError' : 'AuthorizationHeaderMalformed', message);
  const what = auth.presigned ? 'Error parsing the X-Amz-Credential parameter' : 'The authorization header is malformed';
  if (options.regions !== undefined && !options.regions.includes(scope.region)) {
    throw malformed(`${what}; the region '${scope.region}' is wrong; expecting '${options.regions[0] ?? ''}'`);
  }
  const service = options.service ?? 's3';
  if (scope.service !== service) throw malformed(`${what}; incorrect service '${scope.service}'. This endpoint belongs to '${service}'.`);
  if (scope.terminator !== 'aws4_request') throw malformed(`${what}; incorrect terminal '${scope.terminator}'. This endpoint uses 'aws4_request'.`);
  if (scope.date !== auth.timestamp.slice(0, 8)) {
    throw malformed(`${what}; Invalid credential date. Date is not the same as X-Amz-Date.`);
  }
}

/** The payload value a request signed: a presigned URL's own X-Amz-Content-Sha256, else the header. */
function declaredPayload(auth: AuthParameters): string | undefined {
  if (auth.presigned) return auth.query.find((p) => p.name === 'X-Amz-Content-Sha256')?.value;
  return auth.headers.get('x-amz-content-sha256')?.[0]?.trim();
}

/** S3's canonical request: the path signed as sent (no normalisation, one encoding), the payload as declared. */
export function s3CanonicalRequest(request: Pick<ForwardedRequest, 'method' | 'path'>, auth: AuthParameters, payload: S3Payload): string {
  return (
    request.method.toUpperCase() +
    '\n' +
    s3CanonicalUri(request.path) +
    '\n' +
    canonicalQuery(auth.query, auth.presigned ? PRESIGNED_SIGNATURE : undefined) +
    '\n' +
    canonicalHeaders(auth.headers, auth.signedHeaders) +
    '\n' +
    auth.signedHeaders.join(';') +
    '\n' +
    payload.signedValue
  );
}

/**
 * Verifies a request as S3 does (header or presigned form), or throws S3AuthError in S3's words. Undefined when the
 * request carries no authentication at all: S3 then decides for the anonymous principal.
 */
export function verifyS3Request(request: ForwardedRequest, options: S3VerifyOptions): S3Verified | undefined {
  const auth = readAuth(request);
  if (auth === undefined) return undefined;
  checkS3Clock(auth, options.now, options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS);
  if (!auth.signedHeaders.includes('host')) throw new S3AuthError('AccessDenied', S3_MESSAGES.headersNotSigned);
  // S3 takes no x-amz-* header it was not signed with: whoever holds a presigned PUT could otherwise add
  // x-amz-acl: public-read, or a different storage class or encryption, to what the signer allowed.
  for (const [name] of request.headers) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-') && !auth.signedHeaders.includes(lower)) throw new S3AuthError('AccessDenied', S3_MESSAGES.headersNotSigned);
  }
  if (auth.algorithm !== ALGORITHM) {
    throw auth.presigned
      ? new S3AuthError('AuthorizationQueryParametersError', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"')
      : new S3AuthError('AuthorizationHeaderMalformed', S3_MESSAGES.headerMalformed);
  }
  let scope: CredentialScope;
  try {
    scope = splitCredential(auth.credential);
  } catch (error) {
    if (error instanceof SigV4Error) throw translateToS3(error, auth.presigned);
    throw error;
  }
  checkS3Scope(scope, auth, options);
  const payload = readS3Payload(declaredPayload(auth), auth.presigned);
  const secret = options.secretFor(scope.accessKeyId, auth.securityToken);
  if (secret === undefined) throw new S3AuthError('InvalidAccessKeyId', S3_MESSAGES.invalidAccessKeyId);
  const signingKey = (options.signingKeys ?? defaultSigningKeys).signingKey(secret, scope.date, scope.region, scope.service);
  const canonical = s3CanonicalRequest(request, auth, payload);
  const credentialScope = scopeString(scope.date, scope.region, scope.service, scope.terminator);
  const toSign = stringToSign(auth.timestamp, credentialScope, canonical);
  if (!sameSignature(signingKey.sign(toSign), auth.signature)) {
    const error = new S3AuthError('SignatureDoesNotMatch', S3_MESSAGES.signatureDoesNotMatch);
    error.canonicalRequest = canonical;
    error.stringToSign = toSign;
    throw error;
  }
  // The signature covers the declared hash; the body must then have it.
  if (payload.sha256 !== undefined && request.bodySha256 !== undefined && request.bodySha256.toLowerCase() !== payload.sha256) {
    throw new S3AuthError('XAmzContentSHA256Mismatch', S3_MESSAGES.contentSha256Mismatch);
  }
  const verified: S3Verified = {
    accessKeyId: scope.accessKeyId,
    region: scope.region,
    service: scope.service,
    date: scope.date,
    timestamp: auth.timestamp,
    presigned: auth.presigned,
    signedHeaders: auth.signedHeaders,
    signature: auth.signature.toLowerCase(),
    scope: credentialScope,
    payload,
    signingKey: signingKey.key,
  };
  if (auth.securityToken !== undefined) verified.securityToken = auth.securityToken;
  return verified;
}
