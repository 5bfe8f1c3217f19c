import { policyArn } from '../arns.js';
import { noSuchEntity } from '../errors.js';
import type { AwsManagedPolicy, OperationContext, Params } from '../operation.js';
import { rememberResolved, str } from './common.js';
import type { StoreTx } from '../../store/store.js';
import { KIND } from './kinds.js';
import type { EntityRecord } from '../../store/store.js';

/** A managed policy as the services see it, whether the customer's (from the store) or AWS's (from the catalogue). */
export interface ManagedPolicyView {
  readonly arn: string;
  readonly name: string;
  readonly path: string;
  readonly id: string;
  readonly defaultVersionId: string;
  readonly awsManaged: boolean;
  readonly record?: EntityRecord;
  readonly aws?: AwsManagedPolicy;
}

const CUSTOMER_ARN = /^arn:aws:iam::(\d{12}):policy((?:\/[^/]+)*\/)([^/]+)$/;

export function parsePolicyArn(arn: string): { account: string; path: string; name: string } | undefined {
  if (arn.startsWith('arn:aws:iam::aws:policy/')) {
    const rest = arn.slice('arn:aws:iam::aws:policy'.length);
    const slash = rest.lastIndexOf('/');
    return { account: 'aws', path: rest.slice(0, slash + 1), name: rest.slice(slash + 1) };
  }
  const m = CUSTOMER_ARN.exec(arn);
  return m === null ? undefined : { account: m[1] as string, path: m[2] as string, name: m[3] as string };
}

/** What a policy lookup reads: an operation's context, or the authorizer's transaction. */
export type PolicyLookupContext = Pick<OperationContext, 'tx' | 'account'> & {
  readonly services: Pick<OperationContext['services'], 'awsManagedPolicies'>;
};

/**
 * Finds a managed policy by ARN in the caller's account or among AWS's; undefined when there is none. Customer policy
 * names are compared without case, as IAM does (the path is compared exactly); the view's `arn` is the ARN as stored,
 * whatever case the request used.
 */
export async function findManagedPolicy(ctx: PolicyLookupContext, arn: string): Promise<ManagedPolicyView | undefined> {
  const parsed = parsePolicyArn(arn);
  if (parsed === undefined) return undefined;
  if (parsed.account === 'aws') {
    const aws = ctx.services.awsManagedPolicies().get(arn);
    return aws === undefined
      ? undefined
      : { arn: aws.arn, name: aws.name, path: aws.path, id: aws.id, defaultVersionId: aws.defaultVersionId, awsManaged: true, aws };
  }
  if (parsed.account !== ctx.account) return undefined;
  const record = await ctx.tx.get(KIND.policy, ctx.account, parsed.name);
  if (record === undefined || record.path !== parsed.path) return undefined;
  return { arn: policyArn(record.account, record.path, record.key), name: record.key, path: record.path, id: record.id, defaultVersionId: record.data['defaultVersionId'] as string, awsManaged: false, record };
}

/**
 * The ARN an action on the managed policy `arn` names is authorized against: the policy's as stored, so the decision
 * does not depend on the case the request spelled its name in; the ARN as sent when there is no such policy.
 */
export async function policyResource(ctx: PolicyLookupContext, arn: string): Promise<string> {
  return (await findManagedPolicy(ctx, arn))?.arn ?? arn;
}

/**
 * Resolves a request member that names a managed policy (PolicyArn, PermissionsBoundary) for the condition key made
 * from it (iam:PolicyARN, iam:PermissionsBoundary), which must carry the ARN as stored; read back with resolvedOr.
 */
export async function resolvePolicyMember(ctx: OperationContext, p: Params, member: string): Promise<void> {
  const given = str(p, member);
  if (given !== undefined) rememberResolved(ctx, member, await policyResource(ctx, given));
}

/** The message IAM gives for an ARN that names no attachable policy. */
export const policyNotAttachable = (arn: string): Error => noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);

export async function mustFindManagedPolicy(ctx: OperationContext, arn: string): Promise<ManagedPolicyView> {
  const policy = await findManagedPolicy(ctx, arn);
  if (policy === undefined) throw policyNotAttachable(arn);
  return policy;
}

/** The default version's document text of a managed policy. */
export async function defaultDocument(ctx: PolicyLookupContext, policy: ManagedPolicyView): Promise<string> {
  return (await storedDefaultDocument(ctx.tx, ctx.account, policy)) ?? '{}';
}

/** The default version's document of the managed policy an ARN names; undefined when there is none. */
export async function managedPolicyDocument(ctx: PolicyLookupContext, arn: string): Promise<string | undefined> {
  const policy = await findManagedPolicy(ctx, arn);
  return policy === undefined ? undefined : storedDefaultDocument(ctx.tx, ctx.account, policy);
}

async function storedDefaultDocument(tx: StoreTx, account: string, policy: ManagedPolicyView): Promise<string | undefined> {
  if (policy.aws !== undefined) return policy.aws.versions.find((v) => v.versionId === policy.defaultVersionId)?.document;
  const version = await tx.get(KIND.policyVersion, account, `${policy.name}:${policy.defaultVersionId}`);
  return version?.data['document'] as string | undefined;
}
