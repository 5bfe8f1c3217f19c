import type { EntityRecord } from '../../store/store.js';
import { noSuchEntity } from '../errors.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { pageMembers, paginate, req, resolvedOr, str } from './common.js';
import { attachmentKey, KIND, REL, type PrincipalEntityType } from './kinds.js';
import { findManagedPolicy, mustFindManagedPolicy, parsePolicyArn, policyResource, resolvePolicyMember } from './policy-lookup.js';
import { QUOTAS, quotaExceeded } from './quotas.js';
import { principalEntity, principalEntityResource } from './principal-entities.js';

const QUOTA_BY_TYPE: Readonly<Record<PrincipalEntityType, { readonly name: string; readonly limit: number }>> = {
  user: { name: 'PoliciesPerUser', limit: QUOTAS.PoliciesPerUserQuota },
  group: { name: 'PoliciesPerGroup', limit: QUOTAS.PoliciesPerGroupQuota },
  role: { name: 'PoliciesPerRole', limit: QUOTAS.PoliciesPerRoleQuota },
};

const PARAM_BY_TYPE: Readonly<Record<PrincipalEntityType, string>> = { user: 'UserName', group: 'GroupName', role: 'RoleName' };

/** Attaches a managed policy (named in any case; NoSuchEntity when none) as Attach…Policy does, within its quota. */
export async function attachManagedPolicy(ctx: OperationContext, type: PrincipalEntityType, entity: EntityRecord, policyArn: string): Promise<void> {
  // Attachments are kept under the ARN as the policy was created, whatever case the request used for its name.
  const arn = (await mustFindManagedPolicy(ctx, policyArn)).arn;
  const from = attachmentKey(type, entity.key);
  const current = await ctx.tx.links(REL.attached, ctx.account, { from });
  // Attaching a policy that is already attached changes nothing and succeeds.
  if (current.some((link) => link.to === arn)) return;
  const quota = QUOTA_BY_TYPE[type];
  if (current.length >= quota.limit) throw quotaExceeded(quota.name, quota.limit);
  await ctx.tx.link({ relation: REL.attached, account: ctx.account, from, to: arn, created: ctx.now.toISOString(), data: {} });
}

function attach(type: PrincipalEntityType): OperationDefinition['run'] {
  return async (ctx, p) => {
    const entity = await principalEntity(ctx, type, req(p, PARAM_BY_TYPE[type]), true);
    await attachManagedPolicy(ctx, type, entity, req(p, 'PolicyArn'));
    return {};
  };
}

function detach(type: PrincipalEntityType): OperationDefinition['run'] {
  return async (ctx, p) => {
    const entity = await principalEntity(ctx, type, req(p, PARAM_BY_TYPE[type]), true);
    const given = req(p, 'PolicyArn');
    const policy = await findManagedPolicy(ctx, given);
    const arn = policy === undefined ? given : policy.arn;
    if (!(await ctx.tx.unlink(REL.attached, ctx.account, attachmentKey(type, entity.key), arn))) {
      throw noSuchEntity(`Policy ${given} was not found.`);
    }
    return {};
  };
}

/** The friendly name and path of a policy ARN (the last segment, and what lies between `policy` and it). */
function policyNameAndPath(arn: string): { name: string; path: string } {
  const parsed = parsePolicyArn(arn);
  return parsed === undefined ? { name: arn.slice(arn.lastIndexOf('/') + 1), path: '/' } : { name: parsed.name, path: parsed.path };
}

function listAttached(type: PrincipalEntityType): OperationDefinition['run'] {
  return async (ctx, p) => {
    const entity = await principalEntity(ctx, type, req(p, PARAM_BY_TYPE[type]), false);
    const prefix = str(p, 'PathPrefix');
    const attached = (await ctx.tx.links(REL.attached, ctx.account, { from: attachmentKey(type, entity.key) }))
      .map((link) => ({ arn: link.to, ...policyNameAndPath(link.to) }))
      .filter((a) => prefix === undefined || a.path.startsWith(prefix))
      .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || a.arn.localeCompare(b.arn));
    const page = paginate(attached, p);
    return { AttachedPolicies: page.page.map((a) => ({ PolicyName: a.name, PolicyArn: a.arn })), ...pageMembers(page) };
  };
}

interface PolicyEntity {
  readonly type: PrincipalEntityType;
  readonly record: EntityRecord;
}

const TYPE_ORDER: Readonly<Record<PrincipalEntityType, number>> = { group: 0, user: 1, role: 2 };

async function listEntitiesForPolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const given = req(p, 'PolicyArn');
  const policy = await findManagedPolicy(ctx, given);
  if (policy === undefined) throw noSuchEntity(`Policy ${given} was not found.`);
  const arn = policy.arn;
  const filter = str(p, 'EntityFilter');
  const usage = str(p, 'PolicyUsageFilter');
  const prefix = str(p, 'PathPrefix');
  // LocalManagedPolicy and AWSManagedPolicy name no principal type, so they match no entity.
  const wanted = (type: PrincipalEntityType): boolean => filter === undefined || filter.toLowerCase() === type;
  const found = new Map<string, PolicyEntity>();
  const add = (type: PrincipalEntityType, record: EntityRecord | undefined): void => {
    if (record !== undefined && wanted(type)) found.set(`${type}/${record.key.toLowerCase()}`, { type, record });
  };
  if (usage !== 'PermissionsBoundary') {
    for (const link of await ctx.tx.links(REL.attached, ctx.account, { to: arn })) {
      const slash = link.from.indexOf('/');
      const type = link.from.slice(0, slash) as PrincipalEntityType;
      add(type, await ctx.tx.get(KIND[type], ctx.account, link.from.slice(slash + 1)));
    }
  }
  if (usage !== 'PermissionsPolicy') {
    // Only users and roles can have a permissions boundary.
    for (const type of ['user', 'role'] as const) {
      for (const record of await ctx.tx.list(KIND[type], ctx.account)) {
        if (record.data['permissionsBoundary'] === arn) add(type, record);
      }
    }
  }
  const entities = [...found.values()]
    .filter((e) => prefix === undefined || e.record.path.startsWith(prefix))
    .sort((a, b) => TYPE_ORDER[a.type] - TYPE_ORDER[b.type] || a.record.key.toLowerCase().localeCompare(b.record.key.toLowerCase()));
  const page = paginate(entities, p);
  const of = (type: PrincipalEntityType) => page.page.filter((e) => e.type === type).map((e) => e.record);
  return {
    PolicyGroups: of('group').map((r) => ({ GroupName: r.key, GroupId: r.id })),
    PolicyUsers: of('user').map((r) => ({ UserName: r.key, UserId: r.id })),
    PolicyRoles: of('role').map((r) => ({ RoleName: r.key, RoleId: r.id })),
    ...pageMembers(page),
  };
}

function operationsFor(type: PrincipalEntityType, label: 'User' | 'Group' | 'Role'): OperationDefinition[] {
  const resource = (ctx: OperationContext, p: Params): Promise<string> => principalEntityResource(ctx, type, req(p, PARAM_BY_TYPE[type]));
  // iam:PolicyARN is the policy's ARN as stored: a Deny on it must not be escaped by spelling its name in another case.
  const withPolicy = async (ctx: OperationContext, p: Params): Promise<string> => {
    await resolvePolicyMember(ctx, p, 'PolicyArn');
    return resource(ctx, p);
  };
  const policyArnKey = (ctx: OperationContext, p: Params): Record<string, string> => ({ 'iam:PolicyARN': resolvedOr(ctx, 'PolicyArn', req(p, 'PolicyArn')) });
  return [
    { service: 'iam', name: `Attach${label}Policy`, resource: withPolicy, conditionKeys: policyArnKey, run: attach(type) },
    { service: 'iam', name: `Detach${label}Policy`, resource: withPolicy, conditionKeys: policyArnKey, run: detach(type) },
    { service: 'iam', name: `ListAttached${label}Policies`, resource, run: listAttached(type) },
  ];
}

export const ATTACHMENT_OPERATIONS: readonly OperationDefinition[] = [
  ...operationsFor('user', 'User'),
  ...operationsFor('group', 'Group'),
  ...operationsFor('role', 'Role'),
  { service: 'iam', name: 'ListEntitiesForPolicy', resource: (ctx, p) => policyResource(ctx, req(p, 'PolicyArn')), run: listEntitiesForPolicy },
];
