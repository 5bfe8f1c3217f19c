/**
 * What AWS answers when a request's SigV4 authentication fails. `code` and `message` are AWS's own (IAM and STS
 * share the Coral front end that produces them), so the protocol layer can pass them through unchanged; the
 * shape (code, status, fault) matches core's ServiceError so both render the same way.
 */
export type SigV4ErrorCode =
  | 'MissingAuthenticationToken'
  | 'IncompleteSignature'
  | 'InvalidClientTokenId'
  | 'SignatureDoesNotMatch'
  | 'AccessDenied';

const STATUS: Readonly<Record<SigV4ErrorCode, number>> = {
  MissingAuthenticationToken: 403,
  IncompleteSignature: 400,
  InvalidClientTokenId: 403,
  SignatureDoesNotMatch: 403,
  AccessDenied: 403,
};

export class SigV4Error extends Error {
  override readonly name = 'SigV4Error';
  readonly status: number;
  readonly fault = 'Sender' as const;
  /** Only on a signature mismatch: what this server signed, for logs; never part of the message sent back. */
  canonicalRequest?: string;
  stringToSign?: string;

  constructor(
    readonly code: SigV4ErrorCode,
    message: string,
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

// AWS's texts, in one place because the verifier and the tests both compare against them.
export const SIGV4_MESSAGES = {
  missingAuthenticationToken: 'Request is missing Authentication Token',
  invalidClientTokenId: 'The security token included in the request is invalid.',
  signatureDoesNotMatch:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  hostNotSigned: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
  requestExpired: 'Request has expired',
  reexamineQuery: 'Re-examine the query-string parameters.',
} as const;

export const SIGV4_MESSAGE_TEMPLATES = {
  missingPair: (token: string, header: string): string =>
    `'${token}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`,
  headerRequires: (parameter: string): string => `Authorization header requires '${parameter}' parameter.`,
  headerRequiresDate: (): string => "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
  queryRequires: (parameter: string): string => `AWS query-string parameters must include '${parameter}'.`,
  badDate: (value: string): string =>
    `Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`,
  unsupportedAlgorithm: (algorithm: string): string =>
    `Unsupported AWS 'algorithm': '${algorithm}' (only AWS4-HMAC-SHA256 for now). `,
  credentialElements: (credential: string): string =>
    `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
  wrongRegion: (region: string): string => `Credential should be scoped to a valid region, not '${region}'. `,
  wrongService: (expected: string): string => `Credential should be scoped to correct service: '${expected}'. `,
  wrongTerminator: (terminator: string): string =>
    `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `,
  wrongDate: (scopeDate: string, requestDate: string, timestamp: string): string =>
    `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${requestDate}', from '${timestamp}'. `,
  expired: (request: string, earliest: string, now: string, minutes: number): string =>
    `Signature expired: ${request} is now earlier than ${earliest} (${now} - ${minutes} min.)`,
  notYetCurrent: (request: string, latest: string, now: string, minutes: number): string =>
    `Signature not yet current: ${request} is still later than ${latest} (${now} + ${minutes} min.)`,
  badExpires: (value: string): string => `X-Amz-Expires must be a non-negative integer, got '${value}'.`,
  expiresTooLong: (): string => 'X-Amz-Expires must be less than a week (in seconds) that is 604800',
} as const;
