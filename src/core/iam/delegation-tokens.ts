import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { rootArn } from '../arns.js';
import type { Caller } from '../caller.js';
import { accessDenied } from '../errors.js';
import type { SessionTag } from '../sts/session-token.js';

// What links a delegation request to the credentials GetDelegatedAccessToken issues for it: the identity that
// accepted it (AcceptDelegationRequest: "IAM records the details and the state of the identity that called this API.
// This is the identity that gets mapped to the delegated credential"), and the exchange (trade-in) token that
// SendDelegationToken releases. Only the token's hash is stored; the token itself exists in the delivery alone.

/** The accepting identity as it was at acceptance, enough to issue a session acting as it. */
export interface DelegationApprover {
  readonly principalKind: 'user' | 'assumedRole' | 'root';
  readonly account: string;
  readonly arn: string;
  readonly userId: string;
  readonly userName?: string;
  readonly roleArn?: string;
  readonly roleName?: string;
  readonly sessionName?: string;
  /** The IAM entity whose permissions the delegated credentials have: a user's, a role's or the root user's ARN. */
  readonly assumedPrincipal: string;
  /** What limited the accepting identity itself, which limits the delegated credentials as well. */
  readonly sessionPolicy?: string;
  readonly limitPolicies?: readonly string[];
  readonly tags?: readonly SessionTag[];
  readonly sourceIdentity?: string;
}

/** The accepting identity of `caller`, as the delegated session will act. */
export function approverOf(caller: Caller): DelegationApprover {
  const session = caller.session;
  const limits = {
    ...(caller.sessionPolicy !== undefined ? { sessionPolicy: caller.sessionPolicy } : {}),
    ...(caller.limitPolicies !== undefined && caller.limitPolicies.length > 0 ? { limitPolicies: [...caller.limitPolicies] } : {}),
    ...(session?.tags !== undefined && session.tags.length > 0 ? { tags: [...session.tags] } : {}),
    ...(session?.sourceIdentity !== undefined ? { sourceIdentity: session.sourceIdentity } : {}),
  };
  const base = { account: caller.account, arn: caller.arn, userId: caller.userId, ...limits };
  switch (caller.kind) {
    case 'root':
      return { ...base, principalKind: 'root', assumedPrincipal: rootArn(caller.account) };
    case 'user':
      return { ...base, principalKind: 'user', assumedPrincipal: caller.arn, ...(caller.userName !== undefined ? { userName: caller.userName } : {}) };
    case 'assumedRole':
      if (caller.roleArn === undefined || caller.roleName === undefined) break;
      return {
        ...base,
        principalKind: 'assumedRole',
        assumedPrincipal: caller.roleArn,
        roleArn: caller.roleArn,
        roleName: caller.roleName,
        ...(session?.sessionName !== undefined ? { sessionName: session.sessionName } : {}),
      };
    default:
      break;
  }
  // Federated users and unsigned callers reach no IAM operation; this holds if one ever did.
  throw accessDenied(`${caller.arn} cannot accept delegation requests: only IAM users, role sessions and the root user can.`);
}

const hashOf = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** A new trade-in token for the request, and the hash the request keeps of it. */
export function newTradeInToken(requestId: string): { token: string; hash: string } {
  const token = `${requestId}.${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashOf(token) };
}

/** The delegation request a trade-in token claims to be for, or undefined when it is not shaped like one. */
export function tradeInTokenRequestId(token: string): string | undefined {
  const m = /^(dr-[0-9a-f]{32})\.[A-Za-z0-9_-]{43}$/.exec(token);
  return m === null ? undefined : (m[1] as string);
}

/** True when `token` is the one whose hash the request kept (compared in constant time). */
export function tradeInTokenMatches(token: string, hash: unknown): boolean {
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) return false;
  return timingSafeEqual(Buffer.from(hashOf(token), 'hex'), Buffer.from(hash, 'hex'));
}
