import { newSecretAccessKey } from '../ids.js';
import { serviceFailure } from '../errors.js';
import type { OperationContext } from '../operation.js';
import { newSessionAccessKeyId } from './session-access-key.js';
import type { SessionClaims } from './session-token.js';

export type ClaimsWithoutKeys = Omit<SessionClaims, 'accessKeyId' | 'secretAccessKey' | 'issued' | 'expires'>;

/** New temporary credentials for `claims`, valid `durationSeconds` from now: the Credentials structure STS returns. */
export function issueCredentials(ctx: OperationContext, claims: ClaimsWithoutKeys, durationSeconds: number): Record<string, unknown> {
  const seal = ctx.services.sealSessionToken;
  if (seal === undefined) throw serviceFailure('No session key ring is configured.');
  // Whole seconds, as AWS reports Expiration and aws:TokenIssueTime.
  const issued = new Date(Math.floor(ctx.now.getTime() / 1000) * 1000);
  const expires = new Date(issued.getTime() + durationSeconds * 1000);
  const full: SessionClaims = {
    ...claims,
    accessKeyId: newSessionAccessKeyId(claims.account),
    secretAccessKey: newSecretAccessKey(),
    issued: issued.toISOString(),
    expires: expires.toISOString(),
  };
  return { AccessKeyId: full.accessKeyId, SecretAccessKey: full.secretAccessKey, SessionToken: seal(full), Expiration: expires };
}
