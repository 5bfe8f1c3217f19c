import { accessDenied, ServiceError, validationError } from '../errors.js';
import { num, str } from '../iam/common.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { type ClaimsWithoutKeys, sealCredentials, tokenSizeMembers, wholeSeconds } from './credentials.js';
import { invalidSubjectCredentials } from './session-caller.js';
import { checkSessionPolicyDocument } from './session-policy.js';

// GetScopedCredentials: new credentials for the very session that asks, narrowed by a scope down policy, a shorter
// lifetime, or both (STS API reference; IAM User Guide, "Permissions for GetScopedCredentials"). The identity is the
// caller's, unchanged: its ARN, unique ID, session name, tags, source identity, MFA time and session policy go into
// the new token as they are, and so does its issue time (aws:TokenIssueTime), so that a policy revoking the session's
// older tokens revokes what was narrowed from them as well. The scope policies travel in the token and authorization
// requires each of them to allow (limitingPolicies in the policy engine).

/** "A maximum of 3 scope down policy layers are allowed per session." */
export const MAX_SCOPE_POLICIES = 3;

const insufficientLifetime = (asked: number, remaining: number): ServiceError =>
  new ServiceError(
    'InsufficientSessionLifetime',
    `The requested DurationSeconds (${asked}) is greater than the remaining lifetime of the calling session (${remaining} seconds).`,
    400,
  );

async function getScopedCredentials(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const session = ctx.caller.session;
  // The gateway refuses long-term keys before any policy is read (callerRestriction); this holds if it ever did not.
  if (session === undefined) throw invalidSubjectCredentials('GetScopedCredentials can only be called with temporary security credentials.');
  const policy = str(p, 'Policy');
  const duration = num(p, 'DurationSeconds');
  // Gatehouse's wording: AWS documents that one of the two is required.
  if (policy === undefined && duration === undefined) throw validationError('A GetScopedCredentials request must provide at least one of Policy and DurationSeconds.');

  const issuedNow = wholeSeconds(ctx.now);
  const sessionExpires = new Date(session.expires);
  let expires = sessionExpires;
  if (duration !== undefined) {
    const asked = new Date(issuedNow.getTime() + duration * 1000);
    if (asked.getTime() > sessionExpires.getTime()) {
      throw insufficientLifetime(duration, Math.max(0, Math.floor((sessionExpires.getTime() - ctx.now.getTime()) / 1000)));
    }
    expires = asked;
  }

  const layers = session.scopePolicies ?? [];
  let scopePolicies = layers;
  if (policy !== undefined) {
    if (layers.length >= MAX_SCOPE_POLICIES) {
      // Gatehouse's wording: AWS documents that a fourth layer is denied.
      throw accessDenied(`The session already has ${MAX_SCOPE_POLICIES} scope down policies, the most GetScopedCredentials allows; a further Policy cannot be added.`);
    }
    checkSessionPolicyDocument(policy);
    scopePolicies = [...layers, policy];
  }

  const { accessKeyId: _key, secretAccessKey: _secret, issued, expires: _expires, pad: _pad, ...identity } = session;
  const claims: ClaimsWithoutKeys = { ...identity, ...(scopePolicies.length > 0 ? { scopePolicies } : {}) };
  const credentials = sealCredentials(ctx, claims, { issued: new Date(issued), expires }, num(p, 'MinimumSessionTokenSize'));
  return {
    Credentials: credentials.Credentials,
    SessionInfo: { ScopedSessionId: ctx.caller.userId, Arn: ctx.caller.arn },
    ...tokenSizeMembers(credentials),
    ScopedPoliciesCount: scopePolicies.length,
    ...(session.sourceIdentity !== undefined ? { SourceIdentity: session.sourceIdentity } : {}),
  };
}

export const SCOPED_CREDENTIALS_OPERATIONS: readonly OperationDefinition[] = [
  {
    service: 'sts',
    name: 'GetScopedCredentials',
    // The action names no resource type: a scoped session asking again needs its scope to allow it as well.
    resource: () => '*',
    run: getScopedCredentials,
  },
];
