// CreatePolicy, UpdatePolicy, DeletePolicy, DescribePolicy, ListPolicies.
import type { EntityRecord, StoreTx } from '../../store/store.js';
import { list, req, requestTagKeys, str, type Tag } from '../iam/common.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { noteResource } from '../request-context.js';
import { orgResource, requireManagement, type Organization } from './context.js';
import { constraintViolation, duplicatePolicy, invalidInput, policyInUse, policyNotFound } from './errors.js';
import { awsPolicyArn, newPolicyId, ORG_KIND, ORG_REL, policyArn, policyTypeSegment } from './kinds.js';
import { page } from './paging.js';
import { AWS_MANAGED_POLICIES, awsManagedPolicy, checkPolicyContent, MAX_POLICIES_PER_TYPE, type ManagedPolicy } from './policy-types.js';
import { checkNewTags } from './tags.js';

/** A policy as the API shows it, whether AWS's or the organization's own. */
export interface FoundPolicy {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly description: string;
  readonly type: string;
  readonly content: string;
  /** The stored policy; undefined for an AWS managed one. */
  readonly record?: EntityRecord;
}

function fromManaged(policy: ManagedPolicy): FoundPolicy {
  return { ...policy, arn: awsPolicyArn(policy.type, policy.id) };
}

function fromRecord(org: Organization, record: EntityRecord): FoundPolicy {
  const type = record.data['type'] as string;
  return {
    id: record.key,
    arn: policyArn(org.management, org.id, type, record.key),
    name: record.data['name'] as string,
    description: (record.data['description'] as string | undefined) ?? '',
    type,
    content: record.data['content'] as string,
    record,
  };
}

export async function findPolicy(tx: StoreTx, org: Organization, id: string): Promise<FoundPolicy | undefined> {
  const managed = awsManagedPolicy(id);
  if (managed !== undefined) return fromManaged(managed);
  const record = await tx.get(ORG_KIND.policy, org.management, id);
  return record !== undefined && record.key === id ? fromRecord(org, record) : undefined;
}

export function policySummary(policy: FoundPolicy): Record<string, unknown> {
  return { Id: policy.id, Arn: policy.arn, Name: policy.name, Description: policy.description, Type: policy.type, AwsManaged: policy.record === undefined };
}

const policyView = (policy: FoundPolicy): Record<string, unknown> => ({ Policy: { PolicySummary: policySummary(policy), Content: policy.content } });

// The policy resource() found, for the organizations:PolicyType key (conditionKeys cannot read the store).
const foundByRequest = new WeakMap<OperationContext, FoundPolicy>();

/** The policy a request's PolicyId names, read once per request. */
export async function requestedPolicy(ctx: OperationContext, org: Organization, p: Params): Promise<FoundPolicy | undefined> {
  const known = foundByRequest.get(ctx);
  if (known !== undefined) return known;
  const found = await findPolicy(ctx.tx, org, req(p, 'PolicyId'));
  if (found !== undefined) foundByRequest.set(ctx, found);
  return found;
}

/** resource() of the operations on one policy: its ARN (AWS managed ones have their `aws` ARN). */
export const policyResource = orgResource(async (org, ctx, p) => {
  const found = await requestedPolicy(ctx, org, p);
  if (found === undefined) return policyArn(org.management, org.id, 'service_control_policy', req(p, 'PolicyId'));
  if (found.record !== undefined) noteResource(ctx, found.arn, found.record);
  return found.arn;
});

/** organizations:PolicyType of the policy resource() found. */
export function policyTypeKey(ctx: OperationContext): Record<string, string> {
  const found = foundByRequest.get(ctx);
  return found === undefined ? {} : { 'organizations:PolicyType': found.type };
}

async function existingPolicy(ctx: OperationContext, p: Params): Promise<{ org: Organization; policy: FoundPolicy }> {
  const org = await requireManagement(ctx);
  const policy = await requestedPolicy(ctx, org, p);
  if (policy === undefined) throw policyNotFound();
  return { org, policy };
}

async function checkUniqueName(tx: StoreTx, org: Organization, type: string, name: string, except?: string): Promise<void> {
  if (AWS_MANAGED_POLICIES.some((m) => m.type === type && m.name === name)) throw duplicatePolicy();
  for (const other of await tx.list(ORG_KIND.policy, org.management)) {
    if (other.key !== except && other.data['type'] === type && other.data['name'] === name) throw duplicatePolicy();
  }
}

async function createPolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const type = req(p, 'Type');
  const name = req(p, 'Name');
  const content = req(p, 'Content');
  const tags = list<Tag>(p, 'Tags');
  checkNewTags(tags);
  checkPolicyContent(type, content);
  await checkUniqueName(ctx.tx, org, type, name);
  const existing = await ctx.tx.list(ORG_KIND.policy, org.management);
  if (existing.filter((e) => e.data['type'] === type).length >= MAX_POLICIES_PER_TYPE) throw constraintViolation('POLICY_NUMBER_LIMIT_EXCEEDED');
  const id = newPolicyId();
  const record: EntityRecord = {
    kind: ORG_KIND.policy,
    account: org.management,
    key: id,
    id: `${org.id}/${id}`,
    path: '/',
    owner: '',
    created: ctx.now.toISOString(),
    data: { type, name, description: str(p, 'Description') ?? '', content, tags: tags.map((t) => ({ Key: t.Key, Value: t.Value })) },
  };
  await ctx.tx.insert(record);
  return policyView(fromRecord(org, record));
}

async function updatePolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const { org, policy } = await existingPolicy(ctx, p);
  if (policy.record === undefined) throw invalidInput('IMMUTABLE_POLICY');
  const name = str(p, 'Name');
  const description = str(p, 'Description');
  const content = str(p, 'Content');
  if (content !== undefined) checkPolicyContent(policy.type, content);
  if (name !== undefined) await checkUniqueName(ctx.tx, org, policy.type, name, policy.id);
  const record: EntityRecord = {
    ...policy.record,
    data: {
      ...policy.record.data,
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(content !== undefined ? { content } : {}),
      // DescribeEffectivePolicy's LastUpdatedTimestamp.
      updated: ctx.now.toISOString(),
    },
  };
  await ctx.tx.update(record);
  return policyView(fromRecord(org, record));
}

async function deletePolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const { org, policy } = await existingPolicy(ctx, p);
  if (policy.record === undefined) throw invalidInput('IMMUTABLE_POLICY');
  if ((await ctx.tx.countLinks(ORG_REL.attached, org.management, { from: policy.id })) > 0) throw policyInUse();
  await ctx.tx.delete(ORG_KIND.policy, org.management, policy.id);
  return {};
}

async function describePolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return policyView((await existingPolicy(ctx, p)).policy);
}

async function listPolicies(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const type = req(p, 'Filter');
  const managed = AWS_MANAGED_POLICIES.filter((m) => m.type === type).map(fromManaged);
  const own = (await ctx.tx.list(ORG_KIND.policy, org.management)).filter((r) => r.data['type'] === type).map((r) => fromRecord(org, r));
  const { items, NextToken } = page([...managed, ...own], p);
  return { Policies: items.map(policySummary), ...(NextToken !== undefined ? { NextToken } : {}) };
}

export const POLICY_OPERATIONS: readonly OperationDefinition[] = [
  {
    service: 'organizations',
    name: 'CreatePolicy',
    // The policy has no ID yet: the request is authorized against every policy of its type in the organization.
    resource: orgResource((org, _ctx, p) => `arn:aws:organizations::${org.management}:policy/${org.id}/${policyTypeSegment(req(p, 'Type'))}/*`),
    conditionKeys: (_ctx, p) => ({ 'organizations:PolicyType': req(p, 'Type'), ...requestTagKeys(list<Tag>(p, 'Tags')) }),
    run: createPolicy,
  },
  { service: 'organizations', name: 'UpdatePolicy', resource: policyResource, conditionKeys: policyTypeKey, run: updatePolicy },
  { service: 'organizations', name: 'DeletePolicy', resource: policyResource, conditionKeys: policyTypeKey, run: deletePolicy },
  { service: 'organizations', name: 'DescribePolicy', resource: policyResource, conditionKeys: policyTypeKey, run: describePolicy },
  {
    service: 'organizations',
    name: 'ListPolicies',
    resource: () => '*',
    conditionKeys: (_ctx, p) => ({ 'organizations:PolicyType': req(p, 'Filter') }),
    run: listPolicies,
  },
];

