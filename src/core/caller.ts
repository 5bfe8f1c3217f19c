import type { SessionClaims } from './sts/session-token.js';

/**
 * Who is making a request, as authentication established it. Immutable; every later step (authorization, the
 * operation itself, GetCallerIdentity) reads it.
 */
// 'anonymous': an unsigned request (AssumeRoleWithWebIdentity, AssumeRoleWithSAML), which authorizes itself.
export type CallerKind = 'root' | 'user' | 'assumedRole' | 'federatedUser' | 'anonymous';

export interface Caller {
  readonly kind: CallerKind;
  readonly account: string;
  /** The principal ARN the engine evaluates: user ARN, root ARN, assumed-role session ARN, federated-user ARN. */
  readonly arn: string;
  /** The unique ID (account ID for root, AIDA… for users, AROA…:session for sessions). */
  readonly userId: string;
  /** IAM user name, for users (and the user behind a federation token). */
  readonly userName?: string;
  readonly accessKeyId: string;
  /** For role sessions: the role's name and ARN (with path). */
  readonly roleName?: string;
  readonly roleArn?: string;
  /** Session policy for temporary credentials, as JSON text. */
  readonly sessionPolicy?: string;
  /**
   * Scope-down policies (GetScopedCredentials, a delegated session's): each must allow a request too, whatever else
   * grants it (see PolicySet.limitingPolicies).
   */
  readonly limitPolicies?: readonly string[];
  /** Context keys the session carries (principal tags, token issue time, MFA…). */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  /** For temporary credentials: the claims of the session token (what STS issued, and to whom). */
  readonly session?: SessionClaims;
}
