import type { Caller } from '../caller.js';

/** CloudTrail's `userIdentity` element, with the fields in the order CloudTrail writes them. */
export interface UserIdentity {
  /** AWSAccount: S3's anonymous requester (accountId `anonymous`). */
  readonly type: 'Root' | 'IAMUser' | 'AssumedRole' | 'FederatedUser' | 'WebIdentityUser' | 'SAMLUser' | 'AWSAccount' | 'Unknown';
  readonly principalId?: string;
  readonly arn?: string;
  readonly accountId?: string;
  readonly accessKeyId?: string;
  readonly userName?: string;
  readonly identityProvider?: string;
  readonly sessionContext?: SessionContext;
}

export interface SessionContext {
  readonly sessionIssuer?: { readonly type: 'Role' | 'IAMUser' | 'Root'; readonly principalId: string; readonly arn: string; readonly accountId: string; readonly userName?: string };
  readonly webIdFederationData?: { readonly federatedProvider?: string; readonly attributes?: Readonly<Record<string, string>> };
  readonly attributes: { readonly creationDate: string; readonly mfaAuthenticated: 'true' | 'false' };
  readonly sourceIdentity?: string;
}

/** ISO 8601 to the second, as CloudTrail writes times (2026-11-25T12:00:00Z). */
export function cloudTrailTime(time: Date | number | string): string {
  const date = time instanceof Date ? time : new Date(time);
  // Every event of a busy second has the same time: formatted once (a clock that goes back just misses).
  const second = Math.floor(date.getTime() / 1000);
  if (second === lastSecond) return lastText;
  const iso = date.toISOString();
  // toISOString ends in .sssZ for years 0000–9999; anything else keeps its form.
  const text = iso.length === 24 ? `${iso.slice(0, 19)}Z` : iso;
  if (Number.isFinite(second)) {
    lastSecond = second;
    lastText = text;
  }
  return text;
}

let lastSecond = Number.NaN;
let lastText = '';

/**
 * The userIdentity of an authenticated caller. Temporary credentials carry a sessionContext (when and whether with
 * MFA they were issued; for roles and federation tokens, who issued them); long-term access keys carry none, as in
 * AWS's examples of calls made with an IAM user's access key.
 */
export function userIdentityOf(caller: Caller): UserIdentity {
  const session = caller.session;
  const attributes = session === undefined ? undefined : { creationDate: cloudTrailTime(session.issued), mfaAuthenticated: session.mfaAuthTime !== undefined ? ('true' as const) : ('false' as const) };
  const base = { principalId: caller.userId, arn: caller.arn, accountId: caller.account, accessKeyId: caller.accessKeyId };
  switch (caller.kind) {
    case 'root':
      return { type: 'Root', ...base, ...(attributes !== undefined ? { sessionContext: { attributes } } : {}) };
    case 'user':
      return { type: 'IAMUser', ...base, ...(caller.userName !== undefined ? { userName: caller.userName } : {}), ...(attributes !== undefined ? { sessionContext: { attributes } } : {}) };
    case 'assumedRole': {
      const roleId = caller.userId.split(':')[0] ?? caller.userId;
      const provider = session?.federatedContext?.['aws:FederatedProvider'];
      const sessionContext: SessionContext = {
        ...(caller.roleArn !== undefined
          ? { sessionIssuer: { type: 'Role' as const, principalId: roleId, arn: caller.roleArn, accountId: caller.account, ...(caller.roleName !== undefined ? { userName: caller.roleName } : {}) } }
          : {}),
        ...(typeof provider === 'string' ? { webIdFederationData: { federatedProvider: provider, attributes: {} } } : {}),
        attributes: attributes ?? { creationDate: '', mfaAuthenticated: 'false' },
        ...(session?.sourceIdentity !== undefined ? { sourceIdentity: session.sourceIdentity } : {}),
      };
      return { type: 'AssumedRole', ...base, sessionContext };
    }
    case 'federatedUser': {
      // The token's issuer: an IAM user (by its unique ID) or, without one, the account's root user.
      const issuer =
        session?.userName !== undefined
          ? { type: 'IAMUser' as const, principalId: session.issuerUserId ?? '', arn: `arn:aws:iam::${caller.account}:user/${session.userName}`, accountId: caller.account, userName: session.userName }
          : { type: 'Root' as const, principalId: caller.account, arn: `arn:aws:iam::${caller.account}:root`, accountId: caller.account };
      return { type: 'FederatedUser', ...base, sessionContext: { sessionIssuer: issuer, attributes: attributes ?? { creationDate: '', mfaAuthenticated: 'false' } } };
    }
    case 'anonymous':
      return { type: 'Unknown' };
  }
}

/**
 * LookupEvents' `Username` of an event: the IAM user's name, `root`, the role session name, the federated user's
 * name, the federated subject. Undefined when the event has none.
 */
export function lookupUserName(identity: UserIdentity): string | undefined {
  switch (identity.type) {
    case 'Root':
      return 'root';
    case 'IAMUser':
    case 'WebIdentityUser':
    case 'SAMLUser':
      return identity.userName;
    case 'AssumedRole':
    case 'FederatedUser': {
      const arn = identity.arn;
      return arn === undefined ? undefined : arn.slice(arn.lastIndexOf('/') + 1);
    }
    case 'AWSAccount':
    case 'Unknown':
      return undefined;
  }
}
