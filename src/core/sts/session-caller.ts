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
  const base = {
    account: claims.account,
    arn: claims.arn,
    userId: claims.userId,
    accessKeyId: claims.accessKeyId,
    context,
    session: claims,
    ...(claims.sessionPolicy !== undefined ? { sessionPolicy: claims.sessionPolicy } : {}),
    ...(claims.userName !== undefined ? { userName: claims.userName } : {}),
  };
  switch (claims.kind) {
    case 'assumedRole':
      return { ...base, kind: 'assumedRole', ...(claims.roleName !== undefined ? { roleName: claims.roleName } : {}), ...(claims.roleArn !== undefined ? { roleArn: claims.roleArn } : {}) };
    case 'federatedUser':
      return { ...base, kind: 'federatedUser' };
    case 'userSession':
      return { ...base, kind: 'user' };
    case 'consoleSession':
      // The root user's console session names no IAM user; an IAM user's always does.
      return { ...base, kind: claims.userName === undefined ? 'root' : 'user' };
    case 'rootSession':
      return { ...base, kind: 'root' };
  }
}

const sessionCredentials = (operation: string): ServiceError => accessDenied(`Cannot call ${operation} with session credentials`);

// What each kind of temporary credentials may call in STS at all, before any policy is read (AWS documents these
// limits per operation in "Comparing the AWS STS API operations").
const STS_ALLOWED: Readonly<Record<SessionClaims['kind'], ReadonlySet<string>>> = {
  assumedRole: new Set(['AssumeRole', 'GetCallerIdentity', 'GetAccessKeyInfo', 'DecodeAuthorizationMessage']),
  userSession: new Set(['AssumeRole', 'GetCallerIdentity']),
  rootSession: new Set(['AssumeRole', 'GetCallerIdentity']),
  federatedUser: new Set(['GetCallerIdentity']),
  // AssumeRole is the console's Switch Role; GetSessionToken and GetFederationToken are refused to all sessions above.
  consoleSession: new Set(['AssumeRole', 'GetCallerIdentity', 'DecodeAuthorizationMessage']),
};

/** What a console session whose password must be changed may still call (the forced change of password). */
const RESET_ALLOWED: ReadonlySet<string> = new Set(['ChangePassword', 'GetAccountPasswordPolicy']);

/**
 * Refusals that depend only on who is calling, whatever the policies say: the root user cannot assume roles;
 * session credentials cannot ask for GetSessionToken or GetFederationToken; GetSessionToken credentials reach IAM
 * only with MFA and STS only for AssumeRole and GetCallerIdentity; federation tokens reach neither IAM nor STS
 * beyond GetCallerIdentity; a console session whose password must be reset may only change it.
 */
export function callerRestriction(caller: Caller, service: 'iam' | 'sts', operation: string, resource: string): ServiceError | undefined {
  if (service === 'sts' && operation === 'AssumeRole' && caller.kind === 'root') return accessDenied('Roles may not be assumed by root accounts.');
  const session = caller.session;
  if (session === undefined) return undefined;
  if (session.kind === 'consoleSession' && session.passwordResetRequired === true && !(service === 'iam' && RESET_ALLOWED.has(operation))) {
    return accessDenied(`User: ${caller.arn} is not authorized to perform: ${service}:${operation} on resource: ${resource} before changing the password, which must be reset`);
  }
  if (service === 'iam') {
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
