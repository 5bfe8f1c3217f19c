import type { EntityRecord } from '../../store/store.js';
import { createStaticCatalog } from '../../policy/catalog.js';
import { validatePolicy } from '../../policy/validate.js';
import { limitExceeded, malformedPolicyDocument, noSuchEntity } from '../errors.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { encodeDocument, pageMembers, paginate, policySize, req } from './common.js';
import { inlineKey, inlineOwner, KIND, type PrincipalEntityType } from './kinds.js';
import { QUOTAS } from './quotas.js';
import { principalEntity, principalEntityResource } from './principal-entities.js';

// Storing a policy only needs IAM's own refusals, which never consult the service catalogue.
const NO_SERVICES = createStaticCatalog({ services: {} });

interface InlineType {
  readonly param: 'UserName' | 'GroupName' | 'RoleName';
  /** The quota counts every inline policy of the entity together. */
  readonly sizeQuota: number;
}

const TYPES: Readonly<Record<PrincipalEntityType, InlineType>> = {
  user: { param: 'UserName', sizeQuota: QUOTAS.UserPolicySizeQuota },
  group: { param: 'GroupName', sizeQuota: QUOTAS.GroupPolicySizeQuota },
  role: { param: 'RoleName', sizeQuota: QUOTAS.RolePolicySizeQuota },
};

const noSuchInlinePolicy = (type: PrincipalEntityType, policyName: string): Error =>
  noSuchEntity(`The ${type} policy with name ${policyName} cannot be found.`);

/** The user, group or role named by the request. */
function owner(ctx: OperationContext, type: PrincipalEntityType, p: Params, changing: boolean): Promise<EntityRecord> {
  return principalEntity(ctx, type, req(p, TYPES[type].param), changing);
}

function ownerResource(ctx: OperationContext, type: PrincipalEntityType, p: Params): Promise<string> {
  return principalEntityResource(ctx, type, req(p, TYPES[type].param));
}

/** The policy's name as first stored (the key after `TYPE/NAME/`). */
function policyNameOf(type: PrincipalEntityType, entity: EntityRecord, record: EntityRecord): string {
  return record.key.slice(inlineOwner(type, entity.key).length + 1);
}

/**
 * Stores (or replaces) an inline policy of a user, group or role as Put…Policy does: the entity's size quota, then
 * the policy's grammar.
 */
export async function putInlinePolicy(ctx: OperationContext, type: PrincipalEntityType, entity: EntityRecord, policyName: string, document: string): Promise<void> {
  const key = inlineKey(type, entity.key, policyName);
  const siblings = await ctx.tx.list(KIND.inlinePolicy, ctx.account, { owner: inlineOwner(type, entity.key) });
  const existing = siblings.find((s) => s.key.toLowerCase() === key.toLowerCase());
  const others = siblings.filter((s) => s !== existing).reduce((sum, s) => sum + policySize(s.data['document'] as string), 0);
  const quota = TYPES[type].sizeQuota;
  if (others + policySize(document) > quota) {
    throw limitExceeded(`Maximum policy size of ${quota} bytes exceeded for ${type} ${entity.key}`);
  }
  const { iamError } = validatePolicy(document, 'identity', NO_SERVICES);
  if (iamError !== undefined) throw malformedPolicyDocument(iamError.message);
  if (existing !== undefined) {
    await ctx.tx.update({ ...existing, data: { ...existing.data, document } });
    return;
  }
  await ctx.tx.insert({
    kind: KIND.inlinePolicy,
    account: ctx.account,
    key,
    id: `${entity.id}:${policyName}`,
    path: '/',
    owner: inlineOwner(type, entity.key),
    created: ctx.now.toISOString(),
    data: { document },
  });
}

function put(type: PrincipalEntityType): OperationDefinition['run'] {
  return async (ctx, p) => {
    const entity = await owner(ctx, type, p, true);
    await putInlinePolicy(ctx, type, entity, req(p, 'PolicyName'), req(p, 'PolicyDocument'));
    return {};
  };
}

function get(type: PrincipalEntityType): OperationDefinition['run'] {
  return async (ctx, p) => {
    const entity = await owner(ctx, type, p, false);
    const policyName = req(p, 'PolicyName');
    const record = await ctx.tx.get(KIND.inlinePolicy, ctx.account, inlineKey(type, entity.key, policyName));
    if (record === undefined) throw noSuchInlinePolicy(type, policyName);
    return {
      [TYPES[type].param]: entity.key,
      PolicyName: policyNameOf(type, entity, record),
      PolicyDocument: encodeDocument(record.data['document'] as string),
    };
  };
}

function remove(type: PrincipalEntityType): OperationDefinition['run'] {
  return async (ctx, p) => {
    const entity = await owner(ctx, type, p, true);
    const policyName = req(p, 'PolicyName');
    if (!(await ctx.tx.delete(KIND.inlinePolicy, ctx.account, inlineKey(type, entity.key, policyName)))) {
      throw noSuchInlinePolicy(type, policyName);
    }
    return {};
  };
}

function listNames(type: PrincipalEntityType): OperationDefinition['run'] {
  return async (ctx, p) => {
    const entity = await owner(ctx, type, p, false);
    const records = await ctx.tx.list(KIND.inlinePolicy, ctx.account, { owner: inlineOwner(type, entity.key) });
    const page = paginate(records.map((r) => policyNameOf(type, entity, r)), p);
    return { PolicyNames: page.page, ...pageMembers(page) };
  };
}

function operationsFor(type: PrincipalEntityType, label: 'User' | 'Group' | 'Role'): OperationDefinition[] {
  const resource = (ctx: OperationContext, p: Params): Promise<string> => ownerResource(ctx, type, p);
  return [
    { service: 'iam', name: `Put${label}Policy`, resource, run: put(type) },
    { service: 'iam', name: `Get${label}Policy`, resource, run: get(type) },
    { service: 'iam', name: `Delete${label}Policy`, resource, run: remove(type) },
    { service: 'iam', name: `List${label}Policies`, resource, run: listNames(type) },
  ];
}

export const INLINE_POLICY_OPERATIONS: readonly OperationDefinition[] = [
  ...operationsFor('user', 'User'),
  ...operationsFor('group', 'Group'),
  ...operationsFor('role', 'Role'),
];
