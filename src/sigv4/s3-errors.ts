import { SIGV4_MESSAGES, SigV4Error } from './errors.js';

/**
 * S3's own answers to an authentication problem: its codes, statuses and texts differ from the Coral front end's
 * (IAM, STS) that SigV4Error carries. `translateToS3` maps one onto the other.
 */
export type S3AuthErrorCode =
  | 'AccessDenied'
  | 'AuthorizationHeaderMalformed'
  | 'AuthorizationQueryParametersError'
  | 'ExpiredToken'
  | 'InvalidAccessKeyId'
  | 'InvalidArgument'
  | 'InvalidRequest'
  | 'InvalidToken'
  | 'RequestTimeTooSkewed'
  | 'SignatureDoesNotMatch'
  | 'XAmzContentSHA256Mismatch';

const STATUS: Readonly<Record<S3AuthErrorCode, number>> = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  ExpiredToken: 400,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidRequest: 400,
  InvalidToken: 400,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  XAmzContentSHA256Mismatch: 400,
};

export const S3_MESSAGES = {
  accessDenied: 'Access Denied',
  requestExpired: 'Request has expired',
  invalidAccessKeyId: 'The AWS Access Key Id you provided does not exist in our records.',
  signatureDoesNotMatch: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  requestTimeTooSkewed: 'The difference between the request time and the current time is too large.',
  contentSha256Mismatch: "The provided 'x-amz-content-sha256' header does not match what was computed.",
  invalidToken: 'The provided token is malformed or otherwise invalid.',
  expiredToken: 'The provided token has expired.',
  missingContentSha256: 'Missing required header for this request: x-amz-content-sha256',
  badContentSha256:
    'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
  expiresTooLong: 'X-Amz-Expires must be less than a week (in seconds) that is 604800',
  headerMalformed: 'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.',
  queryMalformed:
    'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
  headersNotSigned: 'There were headers present in the request which were not signed',
  chunkSignatureDoesNotMatch: 'The chunk signature we calculated does not match the signature you provided.',
} as const;

export class S3AuthError extends Error {
  override readonly name = 'S3AuthError';
  readonly status: number;
  readonly fault = 'Sender' as const;
  /** Only on a signature mismatch: what this server signed, for logs; never part of the message sent back. */
  canonicalRequest?: string;
  stringToSign?: string;

  constructor(
    readonly code: S3AuthErrorCode,
    message: string,
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

/** The S3 answer to what the shared verifier steps reported, in S3's words. */
export function translateToS3(error: SigV4Error, presigned: boolean): S3AuthError {
  switch (error.code) {
    case 'MissingAuthenticationToken':
      return new S3AuthError('AccessDenied', S3_MESSAGES.accessDenied);
    case 'InvalidClientTokenId':
      return new S3AuthError('InvalidAccessKeyId', S3_MESSAGES.invalidAccessKeyId);
    case 'AccessDenied':
      return new S3AuthError('AccessDenied', error.message === SIGV4_MESSAGES.requestExpired ? S3_MESSAGES.requestExpired : S3_MESSAGES.accessDenied);
    case 'IncompleteSignature':
      if (error.message.startsWith('X-Amz-Expires must be less than a week')) return new S3AuthError('AuthorizationQueryParametersError', S3_MESSAGES.expiresTooLong);
      if (error.message.startsWith('X-Amz-Expires')) return new S3AuthError('AuthorizationQueryParametersError', error.message);
      return presigned
        ? new S3AuthError('AuthorizationQueryParametersError', S3_MESSAGES.queryMalformed)
        : new S3AuthError('AuthorizationHeaderMalformed', S3_MESSAGES.headerMalformed);
    case 'SignatureDoesNotMatch': {
      const translated = new S3AuthError('SignatureDoesNotMatch', S3_MESSAGES.signatureDoesNotMatch);
      if (error.canonicalRequest !== undefined) translated.canonicalRequest = error.canonicalRequest;
      if (error.stringToSign !== undefined) translated.stringToSign = error.stringToSign;
      return translated;
    }
  }
}
