import { sameSignature } from './same-signature.js';
import { readAuthParameters, type AuthParameters } from './auth-parameters.js';
import { canonicalRequest } from './canonical-request.js';
import { checkScope, parsedScopeOf, splitCredential } from './credential-scope.js';
import { SIGV4_MESSAGES as M, SIGV4_MESSAGE_TEMPLATES as T, SigV4Error } from './errors.js';
import { payloadHash } from './payload-hash.js';
import { SigningKeyCache, type SigningKey } from './signing-key.js';
import { ALGORITHM, scopeString, stringToSign } from './string-to-sign.js';
import { formatAmzDate } from './timestamp.js';
import type { CredentialScope, SignedRequest, VerifiedRequest } from './types.js';

export type { CredentialScope, SignedRequest, VerifiedRequest } from './types.js';
export type { SigV4ErrorCode } from './errors.js';
export { SigV4Error, SIGV4_MESSAGES, SIGV4_MESSAGE_TEMPLATES } from './errors.js';
export { parseCredentialScope, readCredentialScope } from './credential-scope.js';
export { SigningKeyCache } from './signing-key.js';

export interface VerifyOptions {
  now: Date;
  /** Resolves the secret for an access key id; undefined when the key is unknown. */
  secretFor(accessKeyId: string): string | undefined;
  /** Clock skew allowed either way; 15 minutes by default, as AWS. */
  maxSkewMs?: number;
  /** Regions the credential scope may name; any when absent (IAM itself accepts only us-east-1). */
  regions?: readonly string[];
  /** The service the credential scope must name; any when absent (the caller may route on the scope). */
  service?: string;
  /** Accept x-amz-content-sha256: UNSIGNED-PAYLOAD (S3 only in AWS); off by default. */
  allowUnsignedPayload?: boolean;
  /**
   * The service speaks the AWS Query protocol (IAM, STS): every parameter of a presigned URL is in its query, so a
   * GET without a body asks exactly what the POST it was signed for asks. botocore's generate_presigned_url signs the
   * operation's own method (POST) and the URL is then fetched with GET; AWS answers it. Off by default: for S3 and
   * REST services the method is part of what was authorised.
   */
  queryProtocol?: boolean;
  /** Where derived signing keys are kept; a process-wide cache by default. */
  signingKeys?: SigningKeyCache;
  /**
   * What readCredentialScope (or parseCredentialScope) returned for this same request object, so that the request is
   * not parsed twice. Ignored when it came from another request or from elsewhere; the result is the same either way.
   */
  scope?: object | undefined;
}

const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;
const defaultSigningKeys = new SigningKeyCache();
const PRESIGNED_SIGNATURE = new Set(['X-Amz-Signature']);
const PRESIGNED_SIGNATURE_AND_TOKEN = new Set(['X-Amz-Signature', 'X-Amz-Security-Token']);

export interface SigningStrings {
  canonicalRequest: string;
  stringToSign: string;
  /** False when x-amz-content-sha256 names a hash the body does not have. */
  payloadMatchesBody: boolean;
}

/**
 * The canonical request and string to sign for a request whose authentication has been read. `omitSecurityToken`
 * leaves X-Amz-Security-Token out of a presigned query, for clients that append it after signing.
 */
export function signingStrings(
  request: Pick<SignedRequest, 'method' | 'path' | 'body'>,
  auth: AuthParameters,
  scope: Pick<CredentialScope, 'date' | 'region' | 'service' | 'terminator'>,
  options: { allowUnsignedPayload?: boolean; omitSecurityToken?: boolean } = {},
): SigningStrings {
  const payload = payloadHash(request.body, auth.headers.get('x-amz-content-sha256')?.[0], options.allowUnsignedPayload);
  const canonical = canonicalRequest({
    method: request.method,
    path: request.path,
    query: auth.query,
    excludeFromQuery: !auth.presigned
      ? undefined
      : options.omitSecurityToken
        ? PRESIGNED_SIGNATURE_AND_TOKEN
        : PRESIGNED_SIGNATURE,
    headers: auth.headers,
    signedHeaders: auth.signedHeaders,
    signedHeadersLine: auth.signedHeadersLine,
    payloadHash: payload.hash,
  });
  return {
    canonicalRequest: canonical,
    stringToSign: stringToSign(auth.timestamp, scopeString(scope.date, scope.region, scope.service, scope.terminator), canonical),
    payloadMatchesBody: payload.matchesBody,
  };
}

/** The canonical request and string to sign of a request as this verifier sees it, without checking anything else. */
export function describeSignedRequest(
  request: SignedRequest,
  options: { allowUnsignedPayload?: boolean; omitSecurityToken?: boolean } = {},
): SigningStrings {
  const auth = readAuthParameters(request);
  return signingStrings(request, auth, splitCredential(auth.credential), options);
}

function checkClock(auth: AuthParameters, now: Date, maxSkewMs: number): void {
  const requestMs = auth.time.getTime();
  const nowMs = now.getTime();
  if (auth.presigned && auth.expires !== undefined && nowMs > requestMs + auth.expires * 1000) {
    throw new SigV4Error('AccessDenied', M.requestExpired);
  }
  // Presigned URLs are held to the same window: outside S3, AWS does not let X-Amz-Expires stretch it.
  const minutes = maxSkewMs / 60000;
  if (requestMs < nowMs - maxSkewMs) {
    throw new SigV4Error(
      'SignatureDoesNotMatch',
      T.expired(auth.timestamp, formatAmzDate(new Date(nowMs - maxSkewMs)), formatAmzDate(now), minutes),
    );
  }
  if (requestMs > nowMs + maxSkewMs) {
    throw new SigV4Error(
      'SignatureDoesNotMatch',
      T.notYetCurrent(auth.timestamp, formatAmzDate(new Date(nowMs + maxSkewMs)), formatAmzDate(now), minutes),
    );
  }
}

/**
 * Verifies a SigV4 request (Authorization header or presigned query) and says who signed it for which scope, or
 * throws SigV4Error with AWS's code and message. Checks run in the order AWS's front end runs them, so a request
 * with several faults gets the answer AWS would give: parameters, date format, clock, Host signed, algorithm,
 * credential shape, scope, access key, signature.
 */
export function verifyRequest(request: SignedRequest, options: VerifyOptions): VerifiedRequest {
  const parsed = options.scope !== undefined ? parsedScopeOf(options.scope, request) : undefined;
  const auth = parsed !== undefined ? parsed.auth : readAuthParameters(request);
  checkClock(auth, options.now, options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS);
  if (!auth.signedHeaders.includes('host') && !auth.signedHeaders.includes(':authority')) {
    throw new SigV4Error('SignatureDoesNotMatch', M.hostNotSigned);
  }
  if (auth.algorithm !== ALGORITHM) throw new SigV4Error('IncompleteSignature', T.unsupportedAlgorithm(auth.algorithm));
  const scope = parsed !== undefined ? parsed.scope : splitCredential(auth.credential);
  const expectations: Parameters<typeof checkScope>[1] = { requestDate: auth.timestamp.slice(0, 8), timestamp: auth.timestamp };
  if (options.regions !== undefined) expectations.regions = options.regions;
  if (options.service !== undefined) expectations.service = options.service;
  checkScope(scope, expectations);

  const secret = options.secretFor(scope.accessKeyId);
  if (secret === undefined) throw new SigV4Error('InvalidClientTokenId', M.invalidClientTokenId);

  const signingKey: SigningKey = (options.signingKeys ?? defaultSigningKeys).signingKey(secret, scope.date, scope.region, scope.service);
  const payloadOptions = { allowUnsignedPayload: options.allowUnsignedPayload ?? false };
  const strings = signingStrings(request, auth, scope, payloadOptions);
  let matches = strings.payloadMatchesBody && sameSignature(signingKey.sign(strings.stringToSign), auth.signature);
  if (!matches && auth.presigned) {
    const variants: Array<[Pick<SignedRequest, 'method' | 'path' | 'body'>, boolean]> = [];
    // Some clients add X-Amz-Security-Token to a presigned URL after signing it (the AWS suite's post-sts-header-after).
    if (auth.securityToken !== undefined) variants.push([request, true]);
    if (options.queryProtocol === true && request.method.toUpperCase() === 'GET' && request.body.length === 0) {
      const asPost = { ...request, method: 'POST' };
      variants.push([asPost, false]);
      if (auth.securityToken !== undefined) variants.push([asPost, true]);
    }
    matches = variants.some(([variant, omitSecurityToken]) => {
      const alternative = signingStrings(variant, auth, scope, { ...payloadOptions, omitSecurityToken });
      return alternative.payloadMatchesBody && sameSignature(signingKey.sign(alternative.stringToSign), auth.signature);
    });
  }
  if (!matches) {
    const error = new SigV4Error('SignatureDoesNotMatch', M.signatureDoesNotMatch);
    error.canonicalRequest = strings.canonicalRequest;
    error.stringToSign = strings.stringToSign;
    throw error;
  }

  const verified: VerifiedRequest = {
    accessKeyId: scope.accessKeyId,
    region: scope.region,
    service: scope.service,
    date: scope.date,
    signedHeaders: auth.signedHeaders,
    presigned: auth.presigned,
  };
  if (auth.securityToken !== undefined) verified.securityToken = auth.securityToken;
  return verified;
}
