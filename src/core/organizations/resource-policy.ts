// The organization's resource-based delegation policy: PutResourcePolicy, DescribeResourcePolicy,
// DeleteResourcePolicy, and what it does. The management account names member accounts (principals) that may call
// Organizations' read operations and its policy-management operations; such a caller then acts on the organization as
// the management account would, within what the policy allows (action, resource, conditions such as
// organizations:PolicyType) and what its own identity policies allow (the gateway sees the delegation policy as the
// resource's policy, so a member needs both, as across accounts). The delegation is evaluated again in the operation
// itself, on its own, so a member never passes the management-only checks without it whatever the enforcement mode.
import { compilePolicies } from '../../policy/engine.js';
import { createStaticCatalog } from '../../policy/catalog.js';
import { validatePolicy } from '../../policy/validate.js';
import type { EntityRecord, StoreTx } from '../../store/store.js';
import { list, req, requestTagKeys, type Tag } from '../iam/common.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { callerOrganization, markDelegated, requireManagement, type Organization } from './context.js';
import { invalidInput, resourcePolicyNotFound } from './errors.js';
import { newResourcePolicyId, ORG_KIND } from './kinds.js';
import { checkNewTags, storedTags } from './tags.js';

const KEY = 'delegation';

/** The operations a delegation policy may grant: every read, and the management of policies. */
const WRITES = ['CreatePolicy', 'UpdatePolicy', 'DeletePolicy', 'AttachPolicy', 'DetachPolicy', 'EnablePolicyType', 'DisablePolicyType', 'TagResource', 'UntagResource'];
export const isDelegable = (operation: string): boolean => /^(Describe|List)/.test(operation) || WRITES.includes(operation);

const resourcePolicyArn = (org: Organization, id: string): string => `arn:aws:organizations::${org.management}:resourcepolicy/${org.id}/${id}`;

export async function delegationPolicy(tx: StoreTx, org: Organization): Promise<EntityRecord | undefined> {
  return tx.get(ORG_KIND.resourcePolicy, org.management, KEY);
}

const view = (org: Organization, record: EntityRecord): Record<string, unknown> => ({
  ResourcePolicy: {
    ResourcePolicySummary: { Id: record.data['id'] as string, Arn: resourcePolicyArn(org, record.data['id'] as string) },
    Content: record.data['content'] as string,
  },
});

const NO_SERVICES = createStaticCatalog({ services: {} });
const ALLOW_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** An action pattern a delegation may name: a delegable operation, or a pattern within the reads. */
function supportedAction(pattern: unknown): boolean {
  if (typeof pattern !== 'string') return false;
  const lower = pattern.toLowerCase();
  if (!lower.startsWith('organizations:')) return false;
  const name = pattern.slice('organizations:'.length);
  if (!/[*?]/.test(name)) return isDelegable(name) && /^[A-Za-z]+$/.test(name);
  return /^(describe|list)[a-z]*[*?]*$/i.test(name) && /^(describe|list)/i.test(name);
}

function checkContent(content: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    throw invalidInput('INVALID_RESOURCE_POLICY_JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidInput('INVALID_RESOURCE_POLICY_JSON');
  if (validatePolicy(content, 'resource', NO_SERVICES).iamError !== undefined) throw invalidInput('INVALID_RESOURCE_POLICY_JSON');
  for (const statement of asList((parsed as { Statement?: unknown }).Statement)) {
    const s = statement as Record<string, unknown>;
    // Delegation is to AWS accounts and their principals only.
    const principal = s['Principal'];
    if (principal === '*' || typeof principal !== 'object' || principal === null || Object.keys(principal).some((k) => k !== 'AWS')) throw invalidInput('INVALID_PRINCIPAL');
    if ('NotAction' in s || !asList(s['Action']).every(supportedAction)) throw invalidInput('UNSUPPORTED_ACTION_IN_RESOURCE_POLICY');
    if ('NotResource' in s || !asList(s['Resource']).every((r) => typeof r === 'string' && (r === '*' || r.startsWith('arn:aws:organizations::')))) {
      throw invalidInput('UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY');
    }
  }
}

async function putResourcePolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const content = req(p, 'Content');
  const tags = list<Tag>(p, 'Tags');
  checkNewTags(tags);
  checkContent(content);
  const existing = await delegationPolicy(ctx.tx, org);
  if (existing !== undefined) {
    const updated = { ...existing, data: { ...existing.data, content } };
    await ctx.tx.update(updated);
    return view(org, updated);
  }
  const record: EntityRecord = {
    kind: ORG_KIND.resourcePolicy,
    account: org.management,
    key: KEY,
    id: `org-resource-policy:${org.id}`,
    path: '/',
    owner: '',
    created: ctx.now.toISOString(),
    data: { id: newResourcePolicyId(), content, tags: storedTags(tags) },
  };
  await ctx.tx.insert(record);
  return view(org, record);
}

async function describeResourcePolicy(ctx: OperationContext): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const record = await delegationPolicy(ctx.tx, org);
  if (record === undefined) throw resourcePolicyNotFound();
  return view(org, record);
}

async function deleteResourcePolicy(ctx: OperationContext): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  if ((await delegationPolicy(ctx.tx, org)) === undefined) throw resourcePolicyNotFound();
  await ctx.tx.delete(ORG_KIND.resourcePolicy, org.management, KEY);
  return {};
}

const policyResource = async (ctx: OperationContext): Promise<string> => {
  const org = await callerOrganization(ctx);
  const record = org === undefined ? undefined : await delegationPolicy(ctx.tx, org);
  return org === undefined || record === undefined ? '*' : resourcePolicyArn(org, record.data['id'] as string);
};

export const RESOURCE_POLICY_OPERATIONS: readonly OperationDefinition[] = [
  {
    service: 'organizations',
    name: 'PutResourcePolicy',
    resource: policyResource,
    conditionKeys: (_ctx, p) => requestTagKeys(list<Tag>(p, 'Tags')),
    run: putResourcePolicy,
  },
  { service: 'organizations', name: 'DescribeResourcePolicy', resource: policyResource, run: describeResourcePolicy },
  { service: 'organizations', name: 'DeleteResourcePolicy', resource: policyResource, run: deleteResourcePolicy },
];

/**
 * True when the organization's delegation policy, on its own, allows this member's request: the operation's action
 * on its resource, and every further action it requires (AttachPolicy's on the target too).
 */
async function delegationAllows(ctx: OperationContext, op: OperationDefinition, p: Params, org: Organization, document: string): Promise<boolean> {
  // Across accounts the engine needs the caller's identity policies to allow too; those are the gateway's to check,
  // so here they are taken as allowing and the delegation alone decides.
  const set = compilePolicies({ identityPolicies: [{ name: 'gateway-checked', document: ALLOW_ALL }], resourcePolicy: { name: 'delegation', document } });
  const allows = (action: string, resource: string, keys: Readonly<Record<string, string | string[]>>): boolean =>
    set.evaluate({
      principal: ctx.caller.arn,
      principalId: ctx.caller.userId,
      action,
      resource,
      resourceAccount: org.management,
      time: ctx.now.toISOString(),
      context: { 'aws:PrincipalAccount': ctx.account, ...keys },
    }).decision === 'Allowed';
  const resource = await op.resource(ctx, p);
  const keys = op.conditionKeys?.(ctx, p) ?? {};
  if (!allows(`organizations:${op.name}`, resource, keys)) return false;
  const further = op.alsoRequires === undefined ? [] : await op.alsoRequires(ctx, p);
  return further.every((also) => (typeof also === 'string' ? allows(also, resource, keys) : allows(also.action, also.resource, also.conditionKeys ?? {})));
}

/**
 * The operations a delegation can reach, made to honour it: the gateway includes the delegation policy in the
 * member's decision, and the operation runs as the management account's when the policy allows the member.
 */
export function withDelegation(operations: readonly OperationDefinition[]): OperationDefinition[] {
  return operations.map((op) => {
    if (op.service !== 'organizations' || !isDelegable(op.name) || op.resourcePolicy !== undefined) return op;
    /** The delegation policy when it allows this member's request; undefined for the management account or otherwise. */
    const allowing = async (ctx: OperationContext, p: Params): Promise<{ document: string; account: string } | undefined> => {
      const org = await callerOrganization(ctx);
      if (org === undefined || org.management === ctx.account) return undefined;
      const record = await delegationPolicy(ctx.tx, org);
      const document = record?.data['content'] as string | undefined;
      return document !== undefined && (await delegationAllows(ctx, op, p, org, document)) ? { document, account: org.management } : undefined;
    };
    return {
      ...op,
      // Only a delegation that allows the request joins the decision: one that does not leaves a member's own
      // requests (its handshakes, its effective policies) decided as before.
      resourcePolicy: allowing,
      run: async (ctx, p) => {
        if ((await allowing(ctx, p)) !== undefined) markDelegated(ctx);
        return op.run(ctx, p);
      },
    };
  });
}
