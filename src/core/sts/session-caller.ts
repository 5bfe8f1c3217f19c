import type { Caller } from '../caller.js';
import { accessDenied, ServiceError } from '../errors.js';
import type { SessionClaims } from './session-token.js';

/** AWS's text for any token this server cannot vouch for (unknown, altered, or not matching the access key ID). */
export const invalidToken = (): ServiceError => new ServiceError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
export const expiredToken = (): ServiceError => new ServiceError('ExpiredToken', 'The security token included in the request is expired', 403);

/** ISO 8601 to the second, as AWS prints times in condition keys. */
function seconds(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The principal a token's claims stand for, with the context keys the session carries into every decision. */
export function callerFromClaims(claims: SessionClaims): Caller {
  const context: Record<string, string | readonly string[]> = {
    ...(claims.federatedContext ?? {}),
    'aws:TokenIssueTime': seconds(claims.issued),
    'aws:MultiFactorAuthPresent': claims.mfaAuthTime !== undefined ? 'true' : 'false',
  };
  for (const tag of claims.tags ?? []) context[`aws:PrincipalTag/${tag.Key}`] = tag.Value;
  if (claims.sourceIdentity !== undefined) context['aws:SourceIdentity'] = claims.sourceIdentity;
  const limits = [...(claims.delegation?.policies ?? []), ...(claims.scopePolicies ?? [])];
  if (claims.kind === 'rootTaskSession') {
    // A root session without its task policy cannot be one Gatehouse sealed: it stands for nobody.
    if (claims.taskPolicy === undefined) throw invalidToken();
    limits.push(taskLimit(claims.taskPolicy.document));
    // The global key AWS sets on requests made with AssumeRoot credentials.
    context['aws:AssumedRoot'] = 'true';
  }
  const base = {
    account: claims.account,
    arn: claims.arn,
    userId: claims.userId,
    accessKeyId: claims.accessKeyId,
    context,
    session: claims,
    ...(claims.sessionPolicy !== undefined ? { sessionPolicy: claims.sessionPolicy } : {}),
    ...(limits.length > 0 ? { limitPolicies: limits } : {}),
    ...(claims.userName !== undefined ? { userName: claims.userName } : {}),
  };
  const role = { ...(claims.roleName !== undefined ? { roleName: claims.roleName } : {}), ...(claims.roleArn !== undefined ? { roleArn: claims.roleArn } : {}) };
  switch (claims.kind) {
    case 'assumedRole':
      return { ...base, kind: 'assumedRole', ...role };
    case 'delegatedSession': {
      const kind = claims.delegation?.principalKind;
      // A token without its delegation cannot be one Gatehouse sealed; it stands for nobody with permissions.
      if (kind === undefined) throw invalidToken();
      return kind === 'assumedRole' ? { ...base, kind, ...role } : { ...base, kind };
    }
    case 'federatedUser':
      return { ...base, kind: 'federatedUser' };
    case 'userSession':
      return { ...base, kind: 'user' };
    case 'consoleSession':
      // The root user's console session names no IAM user; an IAM user's always does.
      return { ...base, kind: claims.userName === undefined ? 'root' : 'user' };
    case 'rootSession':
    case 'rootTaskSession':
      return { ...base, kind: 'root' };
  }
}

/**
 * AWS's root task policies only deny (everything but the task's actions, and those on anything but the root user):
 * as a limit every request must also meet, they become the same statements plus an Allow of the rest, so the session
 * has the root user's permissions minus whatever the task policy denies. A document that does not parse as a policy
 * limits to nothing.
 */
export function taskLimit(document: string): string {
  let statements: unknown[] = [];
  try {
    const parsed = JSON.parse(document) as { Statement?: unknown };
    statements = Array.isArray(parsed.Statement) ? parsed.Statement : parsed.Statement !== undefined ? [parsed.Statement] : [];
  } catch {
    return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] });
  }
  if (statements.length === 0 || !statements.every((s) => typeof s === 'object' && s !== null && (s as { Effect?: unknown }).Effect === 'Deny')) {
    return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] });
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: [...statements, { Effect: 'Allow', Action: '*', Resource: '*' }] });
}

const sessionCredentials = (operation: string): ServiceError => accessDenied(`Cannot call ${operation} with session credentials`);

// What each kind of temporary credentials may call in STS at all, before any policy is read (AWS documents these
// limits per operation in "Comparing the AWS STS API operations"). Every kind may scope itself down
// (GetScopedCredentials: "credentials from an assumed role or a federated session", GetSessionToken's first).
const STS_ALLOWED: Readonly<Record<SessionClaims['kind'], ReadonlySet<string>>> = {
  assumedRole: new Set(['AssumeRole', 'AssumeRoot', 'GetCallerIdentity', 'GetAccessKeyInfo', 'DecodeAuthorizationMessage', 'GetWebIdentityToken', 'GetScopedCredentials', 'GetDelegatedAccessToken']),
  userSession: new Set(['AssumeRole', 'GetCallerIdentity', 'GetScopedCredentials']),
  rootSession: new Set(['AssumeRole', 'GetCallerIdentity', 'GetScopedCredentials']),
  federatedUser: new Set(['GetCallerIdentity', 'GetScopedCredentials']),
  // A delegated session acts as the identity that accepted the request, within the delegated permissions.
  delegatedSession: new Set(['AssumeRole', 'GetCallerIdentity', 'GetAccessKeyInfo', 'DecodeAuthorizationMessage', 'GetScopedCredentials']),
  // An AssumeRoot session makes no further sessions: nothing could carry its task policy on.
  rootTaskSession: new Set(['GetCallerIdentity']),
  // AssumeRole is the console's Switch Role; GetSessionToken and GetFederationToken are refused to all sessions above.
  consoleSession: new Set(['AssumeRole', 'GetCallerIdentity', 'DecodeAuthorizationMessage']),
};

/** What a console session whose password must be changed may still call (the forced change of password). */
const RESET_ALLOWED: ReadonlySet<string> = new Set(['ChangePassword', 'GetAccountPasswordPolicy']);

/** GetScopedCredentials narrows a session: long-term keys have none (AWS's InvalidSubjectCredentials, 400). */
export const invalidSubjectCredentials = (message: string): ServiceError => new ServiceError('InvalidSubjectCredentials', message, 400);

/**
 * Refusals that depend only on who is calling, whatever the policies say: the root user cannot assume roles;
 * session credentials cannot ask for GetSessionToken or GetFederationToken; GetSessionToken credentials reach IAM
 * only with MFA and STS only for AssumeRole and GetCallerIdentity; federation tokens reach neither IAM nor STS
 * beyond GetCallerIdentity; GetScopedCredentials needs temporary credentials of any kind to narrow; a delegated
 * session reaches IAM as its accepting identity would (its policies still limit it); a console session whose password
 * must be reset may only change it.
 */
export function callerRestriction(caller: Caller, service: 'iam' | 'sts' | 'organizations' | 'cloudtrail', operation: string, resource: string): ServiceError | undefined {
  if (service === 'sts' && operation === 'AssumeRole' && caller.kind === 'root') return accessDenied('Roles may not be assumed by root accounts.');
  // Gatehouse's wording: AWS documents that root user credentials cannot call AssumeRoot.
  if (service === 'sts' && operation === 'AssumeRoot' && caller.kind === 'root') return accessDenied('AssumeRoot cannot be called with root user credentials.');
  const session = caller.session;
  if (session === undefined) {
    if (service === 'sts' && operation === 'GetScopedCredentials') {
      // Gatehouse's wording: AWS documents the requirement ("only with temporary security credentials").
      return invalidSubjectCredentials('GetScopedCredentials can only be called with temporary security credentials, not with IAM user or root user access keys.');
    }
    return undefined;
  }
  if (session.kind === 'consoleSession' && session.passwordResetRequired === true && !(service === 'iam' && RESET_ALLOWED.has(operation))) {
    return accessDenied(`User: ${caller.arn} is not authorized to perform: ${service}:${operation} on resource: ${resource} before changing the password, which must be reset`);
  }
  // The limits are IAM's and STS's own: other services take any credentials their policies allow.
  if (service === 'organizations' || service === 'cloudtrail') return undefined;
  if (service === 'iam') {
    if (session.kind === 'delegatedSession') return undefined;
    // A console session has the user's own permissions, as the user's long-term keys would: no MFA is asked here.
    if (session.kind === 'consoleSession') return undefined;
    if (session.kind === 'userSession' || session.kind === 'rootSession') return session.mfaAuthTime !== undefined ? undefined : invalidToken();
    if (session.kind === 'federatedUser') return accessDenied(`User: ${caller.arn} is not authorized to perform: iam:${operation} on resource: ${resource}`);
    return undefined;
  }
  if (operation === 'GetSessionToken' || operation === 'GetFederationToken') return sessionCredentials(operation);
  if (STS_ALLOWED[session.kind].has(operation)) return undefined;
  return accessDenied(`User: ${caller.arn} is not authorized to perform: sts:${operation} on resource: ${resource}`);
}
