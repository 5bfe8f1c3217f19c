// AttachPolicy, DetachPolicy, ListPoliciesForTarget, ListTargetsForPolicy, EnablePolicyType, DisablePolicyType.
import type { EntityRecord, StoreTx } from '../../store/store.js';
import { req } from '../iam/common.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { noteResource } from '../request-context.js';
import { arnOfId, findNode, nodeArn, nodeName, orgResource, requireManagement, type Node, type Organization } from './context.js';
import {
  constraintViolation,
  duplicatePolicyAttachment,
  policyNotAttached,
  policyNotFound,
  policyTypeAlreadyEnabled,
  policyTypeNotAvailable,
  policyTypeNotEnabled,
  rootNotFound,
  targetNotFound,
} from './errors.js';
import { ORG_KIND, ORG_REL, targetTypeOf } from './kinds.js';
import { page } from './paging.js';
import { findPolicy, policyResource, policySummary, policyTypeKey, requestedPolicy, type FoundPolicy } from './policies.js';
import { defaultPolicyOf, maxAttached, RCP_FULL_AWS_ACCESS, SCP } from './policy-types.js';

interface PolicyTypeSummary {
  readonly Type: string;
  readonly Status: string;
}

/** The policy types enabled in the organization's root. */
export async function enabledTypes(tx: StoreTx, org: Organization): Promise<PolicyTypeSummary[]> {
  const root = await tx.get(ORG_KIND.root, org.management, org.rootId);
  return (root?.data['policyTypes'] as PolicyTypeSummary[] | undefined) ?? [];
}

export function rootView(org: Organization, root: EntityRecord): Record<string, unknown> {
  return { Id: root.key, Arn: nodeArn(org, 'ROOT', root.key), Name: root.data['name'] as string, PolicyTypes: (root.data['policyTypes'] as PolicyTypeSummary[] | undefined) ?? [] };
}

/**
 * A new OU or account gets the full-access policy of every enabled type that has one, as AWS attaches
 * FullAWSAccess (and RCPFullAWSAccess) to everything in the organization.
 */
export async function attachDefaults(ctx: OperationContext, org: Organization, targetId: string): Promise<void> {
  for (const { Type } of await enabledTypes(ctx.tx, org)) {
    const policy = defaultPolicyOf(Type);
    if (policy !== undefined) await link(ctx, org, policy.id, targetId);
  }
}

async function link(ctx: OperationContext, org: Organization, policyId: string, targetId: string): Promise<void> {
  await ctx.tx.link({ relation: ORG_REL.attached, account: org.management, from: policyId, to: targetId, created: ctx.now.toISOString(), data: {} });
}

/** The policies of one type attached directly to a target. */
async function attachedOfType(tx: StoreTx, org: Organization, targetId: string, type: string): Promise<FoundPolicy[]> {
  const out: FoundPolicy[] = [];
  for (const attachment of await tx.links(ORG_REL.attached, org.management, { to: targetId })) {
    const policy = await findPolicy(tx, org, attachment.from);
    if (policy !== undefined && policy.type === type) out.push(policy);
  }
  return out;
}

// The target resource() found, so run() and the authorization of the target share one read.
const targetByRequest = new WeakMap<OperationContext, Node>();

async function requestedTarget(ctx: OperationContext, org: Organization, id: string): Promise<Node | undefined> {
  const known = targetByRequest.get(ctx);
  if (known !== undefined && known.record.key === id) return known;
  const node = await findNode(ctx.tx, org, id);
  if (node !== undefined) targetByRequest.set(ctx, node);
  return node;
}

async function policyAndTarget(ctx: OperationContext, p: Params): Promise<{ org: Organization; policy: FoundPolicy; target: Node }> {
  const org = await requireManagement(ctx);
  const policy = await requestedPolicy(ctx, org, p);
  if (policy === undefined) throw policyNotFound();
  const target = await requestedTarget(ctx, org, req(p, 'TargetId'));
  if (target === undefined) throw targetNotFound();
  return { org, policy, target };
}

async function attachPolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const { org, policy, target } = await policyAndTarget(ctx, p);
  if (!(await enabledTypes(ctx.tx, org)).some((t) => t.Type === policy.type)) throw policyTypeNotEnabled();
  const attached = await attachedOfType(ctx.tx, org, target.record.key, policy.type);
  if (attached.some((a) => a.id === policy.id)) throw duplicatePolicyAttachment();
  if (attached.length >= maxAttached(policy.type)) throw constraintViolation('MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED');
  await link(ctx, org, policy.id, target.record.key);
  return {};
}

async function detachPolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const { org, policy, target } = await policyAndTarget(ctx, p);
  const attached = await attachedOfType(ctx.tx, org, target.record.key, policy.type);
  if (!attached.some((a) => a.id === policy.id)) throw policyNotAttached();
  // Every root, OU and account keeps at least one SCP; RCPFullAWSAccess stays wherever RCPs are enabled.
  if (policy.id === RCP_FULL_AWS_ACCESS.id || (policy.type === SCP && attached.length === 1)) throw constraintViolation('MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED');
  await ctx.tx.unlink(ORG_REL.attached, org.management, policy.id, target.record.key);
  return {};
}

async function listPoliciesForTarget(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const target = await requestedTarget(ctx, org, req(p, 'TargetId'));
  if (target === undefined) throw targetNotFound();
  const { items, NextToken } = page(await attachedOfType(ctx.tx, org, target.record.key, req(p, 'Filter')), p);
  return { Policies: items.map(policySummary), ...(NextToken !== undefined ? { NextToken } : {}) };
}

async function listTargetsForPolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const policy = await requestedPolicy(ctx, org, p);
  if (policy === undefined) throw policyNotFound();
  const targets: Record<string, unknown>[] = [];
  for (const attachment of await ctx.tx.links(ORG_REL.attached, org.management, { from: policy.id })) {
    const node = await findNode(ctx.tx, org, attachment.to);
    if (node === undefined) continue;
    targets.push({ TargetId: node.record.key, Arn: nodeArn(org, node.type, node.record.key), Name: nodeName(node), Type: node.type });
  }
  const { items, NextToken } = page(targets, p);
  return { Targets: items, ...(NextToken !== undefined ? { NextToken } : {}) };
}

async function requestedRoot(ctx: OperationContext): Promise<{ org: Organization; root: EntityRecord }> {
  const org = await requireManagement(ctx);
  const root = await ctx.tx.get(ORG_KIND.root, org.management, org.rootId);
  if (root === undefined) throw rootNotFound();
  return { org, root };
}

async function enablePolicyType(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const { org, root } = await requestedRoot(ctx);
  if (req(p, 'RootId') !== root.key) throw rootNotFound();
  const type = req(p, 'PolicyType');
  if (org.record.data['featureSet'] !== 'ALL') throw policyTypeNotAvailable();
  const types = (root.data['policyTypes'] as PolicyTypeSummary[] | undefined) ?? [];
  if (types.some((t) => t.Type === type)) throw policyTypeAlreadyEnabled();
  const updated: EntityRecord = { ...root, data: { ...root.data, policyTypes: [...types, { Type: type, Status: 'ENABLED' }] } };
  await ctx.tx.update(updated);
  // The type's full-access policy goes on every root, OU and account, so enabling it changes no permission.
  const policy = defaultPolicyOf(type);
  if (policy !== undefined) {
    const targets = [root.key, ...(await ctx.tx.list(ORG_KIND.ou, org.management)).map((r) => r.key), ...(await ctx.tx.list(ORG_KIND.account, org.management)).map((r) => r.key)];
    const already = new Set((await ctx.tx.links(ORG_REL.attached, org.management, { from: policy.id })).map((l) => l.to));
    for (const target of targets) if (!already.has(target)) await link(ctx, org, policy.id, target);
  }
  return { Root: rootView(org, updated) };
}

async function disablePolicyType(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const { org, root } = await requestedRoot(ctx);
  if (req(p, 'RootId') !== root.key) throw rootNotFound();
  const type = req(p, 'PolicyType');
  const types = (root.data['policyTypes'] as PolicyTypeSummary[] | undefined) ?? [];
  if (!types.some((t) => t.Type === type)) throw policyTypeNotEnabled();
  const updated: EntityRecord = { ...root, data: { ...root.data, policyTypes: types.filter((t) => t.Type !== type) } };
  await ctx.tx.update(updated);
  // Every policy of the type is detached from every target, as AWS does.
  for (const attachment of await ctx.tx.links(ORG_REL.attached, org.management)) {
    const policy = await findPolicy(ctx.tx, org, attachment.from);
    if (policy?.type === type) await ctx.tx.unlink(ORG_REL.attached, org.management, attachment.from, attachment.to);
  }
  return { Root: rootView(org, updated) };
}

/** The target of a request, by its ID's form: its ARN, noting the record for aws:ResourceTag when it exists. */
const targetOfAttachment = orgResource(async (org, ctx, p) => {
    const id = req(p, 'TargetId');
    const node = await requestedTarget(ctx, org, id);
    if (node === undefined) return arnOfId(org, id);
    const arn = nodeArn(org, node.type, id);
    noteResource(ctx, arn, node.record);
    return arn;
  });

/** Attaching and detaching need the action on the policy and on the target alike (both resource types apply). */
async function alsoOnTarget(ctx: OperationContext, p: Params, action: string): Promise<Array<{ action: string; resource: string; conditionKeys: Record<string, string> }>> {
  const id = req(p, 'TargetId');
  if (targetTypeOf(id) === undefined) return [];
  return [{ action, resource: await targetOfAttachment(ctx, p), conditionKeys: policyTypeKey(ctx) }];
}

const rootResource = orgResource((org, _ctx, p) => arnOfId(org, req(p, 'RootId')));
const policyTypeParam = (_ctx: OperationContext, p: Params): Record<string, string> => ({ 'organizations:PolicyType': req(p, 'PolicyType') });

export const ATTACHMENT_OPERATIONS: readonly OperationDefinition[] = [
  {
    service: 'organizations',
    name: 'AttachPolicy',
    resource: policyResource,
    conditionKeys: policyTypeKey,
    alsoRequires: (ctx, p) => alsoOnTarget(ctx, p, 'organizations:AttachPolicy'),
    run: attachPolicy,
  },
  {
    service: 'organizations',
    name: 'DetachPolicy',
    resource: policyResource,
    conditionKeys: policyTypeKey,
    alsoRequires: (ctx, p) => alsoOnTarget(ctx, p, 'organizations:DetachPolicy'),
    run: detachPolicy,
  },
  {
    service: 'organizations',
    name: 'ListPoliciesForTarget',
    resource: targetOfAttachment,
    conditionKeys: (_ctx, p) => ({ 'organizations:PolicyType': req(p, 'Filter') }),
    run: listPoliciesForTarget,
  },
  { service: 'organizations', name: 'ListTargetsForPolicy', resource: policyResource, conditionKeys: policyTypeKey, run: listTargetsForPolicy },
  { service: 'organizations', name: 'EnablePolicyType', resource: rootResource, conditionKeys: policyTypeParam, run: enablePolicyType },
  { service: 'organizations', name: 'DisablePolicyType', resource: rootResource, conditionKeys: policyTypeParam, run: disablePolicyType },
];
