import { newSecretAccessKey } from '../ids.js';
import { serviceFailure, ServiceError } from '../errors.js';
import type { OperationContext } from '../operation.js';
import { newSessionAccessKeyId } from './session-access-key.js';
import { MAX_SESSION_TOKEN_BYTES, type SessionClaims } from './session-token.js';

export type ClaimsWithoutKeys = Omit<SessionClaims, 'accessKeyId' | 'secretAccessKey' | 'issued' | 'expires' | 'pad'>;

/** What every operation that issues credentials returns: the Credentials structure and the token's size members. */
export interface IssuedCredentials {
  readonly Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: Date };
  /** The token's length in bytes (SessionTokenSize). */
  readonly SessionTokenSize: number;
  /** The percentage of the largest token Gatehouse accepts that this one uses (SessionTokenUtilization). */
  readonly SessionTokenUtilization: number;
}

/**
 * AWS's refusal of a session token over the maximum size, reporting both sizes in bytes (as the API reference says
 * the message does; the wording is Gatehouse's).
 */
export const sessionTokenTooLarge = (size: number): ServiceError =>
  new ServiceError('PackedPolicyTooLarge', `The session token would be ${size} bytes, over the maximum allowed size of ${MAX_SESSION_TOKEN_BYTES} bytes.`, 400);

/** The members of a response that report the token's size, for spreading into it. */
export function tokenSizeMembers(issued: IssuedCredentials): { SessionTokenUtilization: number; SessionTokenSize: number } {
  return { SessionTokenUtilization: issued.SessionTokenUtilization, SessionTokenSize: issued.SessionTokenSize };
}

/** Whole seconds, as AWS reports Expiration and aws:TokenIssueTime. */
export function wholeSeconds(now: Date): Date {
  return new Date(Math.floor(now.getTime() / 1000) * 1000);
}

/**
 * New temporary credentials for `claims` with the given issue time and expiry. `minimumTokenSize`
 * (MinimumSessionTokenSize, at most 4,096) pads the token to at least that many bytes; a token over the largest
 * Gatehouse accepts is refused with PackedPolicyTooLarge rather than issued unusable.
 */
export function sealCredentials(
  ctx: OperationContext,
  claims: ClaimsWithoutKeys,
  times: { readonly issued: Date; readonly expires: Date },
  minimumTokenSize = 0,
): IssuedCredentials {
  const seal = ctx.services.sealSessionToken;
  if (seal === undefined) throw serviceFailure('No session key ring is configured.');
  const full: SessionClaims = {
    ...claims,
    accessKeyId: newSessionAccessKeyId(claims.account),
    secretAccessKey: newSecretAccessKey(),
    issued: times.issued.toISOString(),
    expires: times.expires.toISOString(),
  };
  let token = seal(full);
  // Base64 makes 4 characters of every 3 bytes sealed: pad by three quarters of the shortfall, then by 3 bytes more
  // until it reaches the size (the sealing's own overhead does not change with the plaintext's length).
  for (let pad = Math.ceil(((minimumTokenSize - token.length) * 3) / 4); token.length < minimumTokenSize; pad += 3) {
    token = seal({ ...full, pad: 'x'.repeat(Math.max(0, pad)) });
  }
  if (token.length > MAX_SESSION_TOKEN_BYTES) throw sessionTokenTooLarge(token.length);
  return {
    Credentials: { AccessKeyId: full.accessKeyId, SecretAccessKey: full.secretAccessKey, SessionToken: token, Expiration: times.expires },
    SessionTokenSize: token.length,
    SessionTokenUtilization: Math.ceil((100 * token.length) / MAX_SESSION_TOKEN_BYTES),
  };
}

/** New temporary credentials for `claims`, valid `durationSeconds` from now. */
export function issueCredentials(ctx: OperationContext, claims: ClaimsWithoutKeys, durationSeconds: number, minimumTokenSize = 0): IssuedCredentials {
  const issued = wholeSeconds(ctx.now);
  return sealCredentials(ctx, claims, { issued, expires: new Date(issued.getTime() + durationSeconds * 1000) }, minimumTokenSize);
}
