import type { EntityRecord } from '../../store/store.js';
import { roleArn } from '../arns.js';
import { ServiceError, validationError } from '../errors.js';
import { checkTags, list, num, req, requestTagKeys, str, type Tag } from '../iam/common.js';
import { KIND } from '../iam/kinds.js';
import { currentTrustPolicy } from '../iam/trust-principals.js';
import { DEFAULT_MAX_SESSION_DURATION } from '../iam/roles.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { noteResource } from '../request-context.js';
import { issueCredentials, tokenSizeMembers } from './credentials.js';
import { mfaConditionKeys, verifyMfaParameters } from './mfa.js';
import { buildSessionPolicy, hasPackedContent, packedPercent, sessionPolicyInput } from './session-policy.js';
import type { SessionTag } from './session-token.js';

const DEFAULT_DURATION = 3600;
/** Role chaining: a role session assuming a role gets at most an hour, whatever the role allows. */
const CHAINED_MAX_DURATION = 3600;
const MAX_SESSION_TAGS = 50;

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role(\/(?:[^/]+\/)*)([^/]+)$/;

interface RoleRef {
  readonly account: string;
  readonly path: string;
  readonly name: string;
}

function parseRoleArn(arn: string): RoleRef {
  const m = ROLE_ARN.exec(arn);
  if (m === null) throw validationError('Request ARN is invalid');
  return { account: m[1] as string, path: m[2] as string, name: m[3] as string };
}

/** The role the ARN names, when it exists with exactly that path. */
async function findRole(ctx: OperationContext, arn: string): Promise<EntityRecord | undefined> {
  const ref = parseRoleArn(arn);
  const role = await ctx.tx.get(KIND.role, ref.account, ref.name);
  return role !== undefined && role.path === ref.path ? role : undefined;
}

/** Session tags the caller's own session passes on (role chaining): its tags whose keys it marked transitive. */
function inheritedTags(ctx: OperationContext): { tags: SessionTag[]; keys: string[] } {
  const session = ctx.caller.session;
  if (session?.kind !== 'assumedRole' || session.transitiveTagKeys === undefined) return { tags: [], keys: [] };
  const keys = session.transitiveTagKeys.map((k) => k.toLowerCase());
  return { tags: (session.tags ?? []).filter((t) => keys.includes(t.Key.toLowerCase())), keys: [...session.transitiveTagKeys] };
}

function requestedSourceIdentity(ctx: OperationContext, p: Params): string | undefined {
  return str(p, 'SourceIdentity') ?? ctx.caller.session?.sourceIdentity;
}

function conditionKeys(ctx: OperationContext, p: Params): Record<string, string | string[]> {
  const tags = list<Tag>(p, 'Tags');
  const transitive = list<string>(p, 'TransitiveTagKeys');
  const externalId = str(p, 'ExternalId');
  const sourceIdentity = requestedSourceIdentity(ctx, p);
  return {
    'sts:RoleSessionName': req(p, 'RoleSessionName'),
    ...requestTagKeys(tags),
    ...(transitive.length > 0 ? { 'sts:TransitiveTagKeys': transitive } : {}),
    ...(externalId !== undefined ? { 'sts:ExternalId': externalId } : {}),
    ...(sourceIdentity !== undefined ? { 'sts:SourceIdentity': sourceIdentity } : {}),
    ...mfaConditionKeys(p),
  };
}

/** Tagging a session and setting (or carrying on) a source identity are separate permissions in the trust policy. */
function alsoRequires(ctx: OperationContext, p: Params): string[] {
  const out: string[] = [];
  if (list(p, 'Tags').length > 0 || list(p, 'TransitiveTagKeys').length > 0) out.push('sts:TagSession');
  if (requestedSourceIdentity(ctx, p) !== undefined) out.push('sts:SetSourceIdentity');
  // Service Authorization Reference (list_awssecuritytokenservice): AssumeRole with ProvidedContexts needs
  // sts:SetContext as well. The contexts themselves are not carried (they need IAM Identity Center's signed
  // assertions), but a request AWS would refuse is refused.
  if (list(p, 'ProvidedContexts').length > 0) out.push('sts:SetContext');
  return out;
}

function checkDuration(ctx: OperationContext, role: EntityRecord, asked: number | undefined): number {
  const duration = asked ?? DEFAULT_DURATION;
  if (ctx.caller.kind === 'assumedRole' && duration > CHAINED_MAX_DURATION) {
    throw validationError('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  const max = (role.data['maxSessionDuration'] as number | undefined) ?? DEFAULT_MAX_SESSION_DURATION;
  if (duration > max) throw validationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  return duration;
}

async function assumeRole(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const arn = req(p, 'RoleArn');
  const role = await findRole(ctx, arn);
  // Authorization already required the trust policy, so the role existed a moment ago in this same transaction.
  if (role === undefined) throw new ServiceError('AccessDenied', `User: ${ctx.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${arn}`, 403);
  const duration = checkDuration(ctx, role, num(p, 'DurationSeconds'));
  const sessionName = req(p, 'RoleSessionName');

  const inherited = inheritedTags(ctx);
  const tags = list<Tag>(p, 'Tags').map((t) => ({ Key: t.Key, Value: t.Value }));
  checkTags(tags);
  for (const tag of tags) {
    if (inherited.tags.some((t) => t.Key.toLowerCase() === tag.Key.toLowerCase())) {
      // Gatehouse's wording: AWS documents the refusal, not its text.
      throw new ServiceError('InvalidParameterValue', `The session tag ${tag.Key} was already set as a transitive tag by the calling session and cannot be changed.`, 400);
    }
  }
  const allTags = [...inherited.tags, ...tags];
  if (allTags.length > MAX_SESSION_TAGS) throw validationError(`A session can have at most ${MAX_SESSION_TAGS} session tags, transitive ones included.`);
  const requestedTransitive = list<string>(p, 'TransitiveTagKeys');
  for (const key of requestedTransitive) {
    if (!tags.some((t) => t.Key.toLowerCase() === key.toLowerCase())) {
      throw new ServiceError('InvalidParameterValue', `The transitive tag key ${key} is not the key of a session tag in this request.`, 400);
    }
  }
  const transitiveKeys = [...inherited.keys, ...requestedTransitive];

  const inheritedSource = ctx.caller.session?.sourceIdentity;
  const askedSource = str(p, 'SourceIdentity');
  if (inheritedSource !== undefined && askedSource !== undefined && askedSource !== inheritedSource) {
    throw new ServiceError('InvalidParameterValue', 'The source identity of a session cannot be changed once set (it persists through role chaining).', 400);
  }
  const sourceIdentity = inheritedSource ?? askedSource;

  const input = sessionPolicyInput(p);
  // Managed session policies must be in the role's account.
  const sessionPolicy = await buildSessionPolicy({ ...ctx, account: role.account }, input, tags);

  const assumedRoleId = `${role.id}:${sessionName}`;
  const sessionArn = `arn:aws:sts::${role.account}:assumed-role/${role.key}/${sessionName}`;
  // A code checked now authenticates this session; otherwise a caller's MFA-authenticated session passes its time on.
  const mfaAuthTime = (await verifyMfaParameters(ctx, p)) ?? ctx.caller.session?.mfaAuthTime;
  const issued = issueCredentials(
    ctx,
    {
      kind: 'assumedRole',
      account: role.account,
      arn: sessionArn,
      userId: assumedRoleId,
      roleArn: roleArn(role.account, role.path, role.key),
      roleName: role.key,
      sessionName,
      ...(sessionPolicy !== undefined ? { sessionPolicy } : {}),
      ...(allTags.length > 0 ? { tags: allTags } : {}),
      ...(transitiveKeys.length > 0 ? { transitiveTagKeys: transitiveKeys } : {}),
      ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
      ...(mfaAuthTime !== undefined ? { mfaAuthTime } : {}),
      ...(ctx.caller.kind === 'assumedRole' ? { chained: true } : {}),
    },
    duration,
    num(p, 'MinimumSessionTokenSize'),
  );
  return {
    Credentials: issued.Credentials,
    AssumedRoleUser: { AssumedRoleId: assumedRoleId, Arn: sessionArn },
    ...(hasPackedContent(input, tags) ? { PackedPolicySize: packedPercent(input, tags) } : {}),
    ...(sourceIdentity !== undefined ? { SourceIdentity: sourceIdentity } : {}),
    ...tokenSizeMembers(issued),
  };
}

export const ASSUME_ROLE_OPERATIONS: readonly OperationDefinition[] = [
  {
    service: 'sts',
    name: 'AssumeRole',
    resource: async (ctx, p) => {
      const arn = req(p, 'RoleArn');
      parseRoleArn(arn);
      // Checked before authorization: a trust policy that requires MFA must see aws:MultiFactorAuthPresent.
      await verifyMfaParameters(ctx, p);
      // The role's ARN as stored: a Deny on it holds whatever case the request spells the role's name in.
      const role = await findRole(ctx, arn);
      if (role === undefined) return arn;
      const stored = roleArn(role.account, role.path, role.key);
      noteResource(ctx, stored, role);
      return stored;
    },
    resourcePolicy: async (ctx, p) => {
      const role = await findRole(ctx, req(p, 'RoleArn'));
      // Users and roles the trust policy names are bound to their unique IDs: one deleted (or recreated) since reads
      // as its old ID, which names nobody.
      return role === undefined ? undefined : { document: await currentTrustPolicy(ctx.tx, role), account: role.account };
    },
    conditionKeys,
    alsoRequires,
    run: assumeRole,
  },
];
