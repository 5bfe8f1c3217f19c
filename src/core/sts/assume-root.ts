// STS AssumeRoot: short-term credentials of a member account's root user, limited to one of AWS's root task policies,
// for the management account or the delegated administrator for IAM once centralized root sessions are enabled
// (IAM EnableOrganizationsRootSessions, which needs trusted access for iam.amazonaws.com).
import { accessDenied, validationError } from '../errors.js';
import { req, num } from '../iam/common.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { findNode, organizationOfAccount } from '../organizations/context.js';
import { MEMBERSHIP_STATUS } from '../organizations/organization.js';
import { isRootAccessAdministrator, rootAccessFeatures } from '../organizations/root-access.js';
import { issueCredentials, tokenSizeMembers } from './credentials.js';

const DEFAULT_DURATION = 900;
const TARGET = /^(?:(\d{12})|arn:aws:iam::(\d{12}):root)$/;

/** The root task policies AWS lets AssumeRoot name ("You must use one of the following AWS managed policies"). */
export const ROOT_TASK_POLICIES: ReadonlySet<string> = new Set(
  ['IAMAuditRootUserCredentials', 'IAMCreateRootUserPassword', 'IAMDeleteRootUserCredentials', 'S3UnlockBucketPolicy', 'SQSUnlockQueuePolicy'].map(
    (name) => `arn:aws:iam::aws:policy/root-task/${name}`,
  ),
);

function targetAccount(p: Params): string {
  const m = TARGET.exec(req(p, 'TargetPrincipal'));
  // Gatehouse's wording: the API reference asks for "the member account principal ARN or account ID".
  if (m === null) throw validationError('TargetPrincipal must be a member account ID or its root user ARN (arn:aws:iam::<account>:root).');
  return (m[1] ?? m[2]) as string;
}

function taskPolicyArn(p: Params): string {
  const descriptor = p['TaskPolicyArn'] as { arn?: unknown } | undefined;
  const arn = typeof descriptor?.arn === 'string' ? descriptor.arn : undefined;
  if (arn === undefined || !ROOT_TASK_POLICIES.has(arn)) {
    throw validationError(`TaskPolicyArn must be one of the AWS managed root task policies: ${[...ROOT_TASK_POLICIES].join(', ')}.`);
  }
  return arn;
}

const rootArnOf = (account: string): string => `arn:aws:iam::${account}:root`;

async function assumeRoot(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const target = targetAccount(p);
  const arn = taskPolicyArn(p);
  // Every refusal below reads as AWS's AccessDenied for the action on the target: who may do what is the store's
  // (organization, membership, delegation, features), never the request's.
  const refused = () => accessDenied(`User: ${ctx.caller.arn} is not authorized to perform: sts:AssumeRoot on resource: ${rootArnOf(target)}`);
  const org = await organizationOfAccount(ctx.tx, ctx.account);
  if (org === undefined || !(await isRootAccessAdministrator(ctx, org, ctx.account))) throw refused();
  if (!rootAccessFeatures(org).includes('RootSessions')) throw refused();
  // A member account of the same organization, still active; never the management account itself.
  const member = await findNode(ctx.tx, org, target);
  if (member?.type !== 'ACCOUNT' || target === org.management || member.record.data['status'] !== MEMBERSHIP_STATUS.active) throw refused();
  const policy = ctx.services.awsManagedPolicies().get(arn);
  const document = policy?.versions.find((v) => v.versionId === policy.defaultVersionId)?.document;
  if (document === undefined) throw validationError(`The root task policy ${arn} is not in this server's AWS managed policy catalogue.`);
  const sourceIdentity = ctx.caller.session?.sourceIdentity;
  const issued = issueCredentials(
    ctx,
    {
      kind: 'rootTaskSession',
      account: target,
      arn: rootArnOf(target),
      userId: target,
      taskPolicy: { arn, document },
      ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
    },
    num(p, 'DurationSeconds') ?? DEFAULT_DURATION,
    num(p, 'MinimumSessionTokenSize'),
  );
  return { Credentials: issued.Credentials, ...(sourceIdentity !== undefined ? { SourceIdentity: sourceIdentity } : {}), ...tokenSizeMembers(issued) };
}

export const ASSUME_ROOT_OPERATIONS: readonly OperationDefinition[] = [
  {
    service: 'sts',
    name: 'AssumeRoot',
    // The Service Authorization Reference's resource for sts:AssumeRoot: the member account's root user.
    resource: (_ctx, p) => rootArnOf(targetAccount(p)),
    conditionKeys: (_ctx, p) => ({ 'sts:TaskPolicyArn': taskPolicyArn(p) }),
    run: assumeRoot,
  },
];
