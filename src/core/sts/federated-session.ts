import { compilePolicies } from '../../policy/engine.js';
import type { EntityRecord } from '../../store/store.js';
import { roleArn } from '../arns.js';
import { accessDenied, validationError } from '../errors.js';
import { checkTags } from '../iam/common.js';
import { KIND } from '../iam/kinds.js';
import { DEFAULT_MAX_SESSION_DURATION } from '../iam/roles.js';
import type { OperationContext } from '../operation.js';
import { issueCredentials, tokenSizeMembers } from './credentials.js';
import { buildSessionPolicy, hasPackedContent, packedPercent, type SessionPolicyInput } from './session-policy.js';
import type { SessionTag } from './session-token.js';

/**
 * Issuing a role session to a federated principal (an OIDC or SAML provider), shared by AssumeRoleWithWebIdentity
 * and AssumeRoleWithSAML. These requests are unsigned: nobody's identity policies apply, and the role's trust policy
 * alone decides, with the provider as the principal. The caller of this module has already verified the token or
 * assertion and knows which provider vouched for it.
 */

export type FederatedAction = 'sts:AssumeRoleWithWebIdentity' | 'sts:AssumeRoleWithSAML';

export interface FederatedSessionRequest {
  /** The action the trust policy must allow. */
  readonly action: FederatedAction;
  readonly roleArn: string;
  readonly sessionName: string;
  /** DurationSeconds as asked; 3600 when absent. The protocol layer already enforced the 900 minimum. */
  readonly durationSeconds?: number | undefined;
  /** Policy / PolicyArns of the request (sessionPolicyInput(params)). */
  readonly policy?: SessionPolicyInput;
  /** The IAM provider that vouched for the identity: arn:aws:iam::ACCOUNT:oidc-provider/… or …:saml-provider/…. */
  readonly providerArn: string;
  /**
   * Context keys of the trust-policy decision (PROVIDER:sub, PROVIDER:aud, saml:sub…). aws:FederatedProvider and
   * sts:RoleSessionName are added here.
   */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  /** Context keys the issued session carries into every later decision, besides aws:FederatedProvider. */
  readonly sessionContext?: Readonly<Record<string, string | readonly string[]>>;
  readonly sourceIdentity?: string | undefined;
  /** Session tags the provider asserted (the token's or assertion's PrincipalTag claims). */
  readonly tags?: readonly SessionTag[];
  readonly transitiveTagKeys?: readonly string[];
  /** MinimumSessionTokenSize of the request. */
  readonly minimumTokenSize?: number | undefined;
}

export interface FederatedSession {
  readonly Credentials: Record<string, unknown>;
  readonly AssumedRoleUser: { readonly AssumedRoleId: string; readonly Arn: string };
  readonly PackedPolicySize?: number;
  readonly SourceIdentity?: string;
  readonly SessionTokenUtilization: number;
  readonly SessionTokenSize: number;
}

const DEFAULT_DURATION = 3600;
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role(\/(?:[^/]+\/)*)([^/]+)$/;

/** AWS's answer for a role that does not exist and for a trust policy that does not let the provider in alike. */
export const notAuthorizedToAssume = (action: FederatedAction): ReturnType<typeof accessDenied> => accessDenied(`Not authorized to perform ${action}`);

/** The account a role ARN names, or a ValidationError as AssumeRole gives for a malformed one. */
export function roleArnAccount(arn: string): string {
  const m = ROLE_ARN.exec(arn);
  if (m === null) throw validationError('Request ARN is invalid');
  return m[1] as string;
}

async function findRole(ctx: OperationContext, arn: string): Promise<EntityRecord | undefined> {
  const m = ROLE_ARN.exec(arn);
  if (m === null) throw validationError('Request ARN is invalid');
  const role = await ctx.tx.get(KIND.role, m[1] as string, m[3] as string);
  return role !== undefined && role.path === m[2] ? role : undefined;
}

/**
 * True when the role's trust policy allows `action` to the provider with this context. Evaluated as the resource
 * policy alone: a provider is not an IAM identity, so it has no identity policies, boundary or session policy.
 */
export function trustPolicyAllows(
  role: EntityRecord,
  request: { action: string; providerArn: string; now: Date; context: Readonly<Record<string, string | readonly string[]>> },
): boolean {
  const document = role.data['assumeRolePolicyDocument'] as string;
  const set = compilePolicies({ resourcePolicy: { name: 'trust', document } });
  const result = set.evaluate({
    principal: request.providerArn,
    action: request.action,
    resource: roleArn(role.account, role.path, role.key),
    resourceAccount: role.account,
    time: request.now.toISOString(),
    context: request.context as Record<string, string | string[]>,
  });
  return result.decision === 'Allowed';
}

/**
 * Checks the trust policy (the action itself, sts:TagSession when tags are passed, sts:SetSourceIdentity when a
 * source identity is), then issues the role session: the AssumeRole-shaped part of the response.
 */
export async function issueFederatedRoleSession(ctx: OperationContext, request: FederatedSessionRequest): Promise<FederatedSession> {
  const role = await findRole(ctx, request.roleArn);
  if (role === undefined) throw notAuthorizedToAssume(request.action);
  const tags = (request.tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value }));
  checkTags(tags);
  const context: Record<string, string | readonly string[]> = {
    // An unsigned request's own keys (aws:SourceIp…), which the gateway hands over on the anonymous caller.
    ...(ctx.caller.kind === 'anonymous' ? (ctx.caller.context ?? {}) : {}),
    ...(request.context ?? {}),
    'aws:FederatedProvider': request.providerArn,
    'sts:RoleSessionName': request.sessionName,
    ...(request.sourceIdentity !== undefined ? { 'sts:SourceIdentity': request.sourceIdentity } : {}),
    ...(tags.length > 0 ? Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.Key}`, t.Value])) : {}),
    ...(tags.length > 0 ? { 'aws:TagKeys': tags.map((t) => t.Key) } : {}),
  };
  const actions: string[] = [request.action];
  if (tags.length > 0) actions.push('sts:TagSession');
  if (request.sourceIdentity !== undefined) actions.push('sts:SetSourceIdentity');
  for (const action of actions) {
    if (!trustPolicyAllows(role, { action, providerArn: request.providerArn, now: ctx.now, context })) throw notAuthorizedToAssume(request.action);
  }

  const duration = request.durationSeconds ?? DEFAULT_DURATION;
  const max = (role.data['maxSessionDuration'] as number | undefined) ?? DEFAULT_MAX_SESSION_DURATION;
  if (duration > max) throw validationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');

  const input = request.policy ?? { policyArns: [] };
  // Managed session policies must be in the role's account; the unsigned request itself has no account.
  const sessionPolicy = await buildSessionPolicy({ ...ctx, account: role.account }, input, tags);
  const assumedRoleId = `${role.id}:${request.sessionName}`;
  const sessionArn = `arn:aws:sts::${role.account}:assumed-role/${role.key}/${request.sessionName}`;
  const transitive = request.transitiveTagKeys ?? [];
  const issued = issueCredentials(
    ctx,
    {
      kind: 'assumedRole',
      account: role.account,
      arn: sessionArn,
      userId: assumedRoleId,
      roleArn: roleArn(role.account, role.path, role.key),
      roleName: role.key,
      sessionName: request.sessionName,
      federatedContext: { ...(request.sessionContext ?? {}), 'aws:FederatedProvider': request.providerArn },
      ...(sessionPolicy !== undefined ? { sessionPolicy } : {}),
      ...(tags.length > 0 ? { tags } : {}),
      ...(transitive.length > 0 ? { transitiveTagKeys: [...transitive] } : {}),
      ...(request.sourceIdentity !== undefined ? { sourceIdentity: request.sourceIdentity } : {}),
    },
    duration,
    request.minimumTokenSize,
  );
  return {
    Credentials: issued.Credentials,
    AssumedRoleUser: { AssumedRoleId: assumedRoleId, Arn: sessionArn },
    ...(hasPackedContent(input, tags) ? { PackedPolicySize: packedPercent(input, tags) } : {}),
    ...(request.sourceIdentity !== undefined ? { SourceIdentity: request.sourceIdentity } : {}),
    ...tokenSizeMembers(issued),
  };
}
