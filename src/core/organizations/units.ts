// Organizational units and the tree: Create/Update/Delete/DescribeOrganizationalUnit,
// ListOrganizationalUnitsForParent, ListRoots, ListParents, ListChildren.
import type { EntityRecord } from '../../store/store.js';
import { list, req, requestTagKeys, str, type Tag } from '../iam/common.js';
import type { OperationContext, OperationDefinition, Params } from '../operation.js';
import { noteResource } from '../request-context.js';
import { ancestry, arnOfId, findNode, findParent, nodeArn, orgResource, requireManagement, type Node, type Organization } from './context.js';
import { childNotFound, constraintViolation, duplicateOu, ouNotEmpty, ouNotFound, parentNotFound } from './errors.js';
import { newOuId, ORG_KIND, ORG_REL } from './kinds.js';
import { page } from './paging.js';
import { attachDefaults, rootView } from './attachments.js';
import { checkNewTags, storedTags } from './tags.js';

/** OUs may nest five deep under the root; an organization may have 2,000 of them (AWS's quotas). */
const MAX_OU_DEPTH = 5;
const MAX_OUS = 2000;

function ouView(org: Organization, record: EntityRecord): Record<string, unknown> {
  return { Id: record.key, Arn: nodeArn(org, 'ORGANIZATIONAL_UNIT', record.key), Name: record.data['name'] as string };
}

const paged = (name: string, all: readonly unknown[], p: Params): Record<string, unknown> => {
  const { items, NextToken } = page(all, p);
  return { [name]: items, ...(NextToken !== undefined ? { NextToken } : {}) };
};

async function requireParent(ctx: OperationContext, org: Organization, p: Params): Promise<Node> {
  const parent = await findParent(ctx.tx, org, req(p, 'ParentId'));
  if (parent === undefined) throw parentNotFound();
  return parent;
}

async function requireOu(ctx: OperationContext, org: Organization, p: Params): Promise<EntityRecord> {
  const node = await findNode(ctx.tx, org, req(p, 'OrganizationalUnitId'));
  if (node?.type !== 'ORGANIZATIONAL_UNIT') throw ouNotFound();
  return node.record;
}

async function checkUniqueName(ctx: OperationContext, org: Organization, parentId: string, name: string, except?: string): Promise<void> {
  const siblings = await ctx.tx.list(ORG_KIND.ou, org.management, { owner: parentId });
  // The store matches owners without case; IDs are exact.
  if (siblings.some((s) => s.owner === parentId && s.key !== except && s.data['name'] === name)) throw duplicateOu();
}

async function createOrganizationalUnit(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const parent = await requireParent(ctx, org, p);
  const name = req(p, 'Name');
  const tags = list<Tag>(p, 'Tags');
  checkNewTags(tags);
  // The root and the OUs above the parent: a parent already MAX_OU_DEPTH OUs down can hold no further OU.
  if ((await ancestry(ctx.tx, org, parent)).length > MAX_OU_DEPTH) throw constraintViolation('OU_DEPTH_LIMIT_EXCEEDED');
  await checkUniqueName(ctx, org, parent.record.key, name);
  if ((await ctx.tx.count(ORG_KIND.ou, org.management)) >= MAX_OUS) throw constraintViolation('OU_NUMBER_LIMIT_EXCEEDED');
  const id = newOuId(org.rootId);
  const record: EntityRecord = {
    kind: ORG_KIND.ou,
    account: org.management,
    key: id,
    id: `${org.id}/${id}`,
    path: '/',
    owner: parent.record.key,
    created: ctx.now.toISOString(),
    data: { name, tags: storedTags(tags) },
  };
  await ctx.tx.insert(record);
  await attachDefaults(ctx, org, id);
  return { OrganizationalUnit: ouView(org, record) };
}

async function updateOrganizationalUnit(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const record = await requireOu(ctx, org, p);
  const name = str(p, 'Name');
  if (name === undefined) return { OrganizationalUnit: ouView(org, record) };
  await checkUniqueName(ctx, org, record.owner, name, record.key);
  const updated = { ...record, data: { ...record.data, name } };
  await ctx.tx.update(updated);
  return { OrganizationalUnit: ouView(org, updated) };
}

async function deleteOrganizationalUnit(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const record = await requireOu(ctx, org, p);
  const children = (await ctx.tx.count(ORG_KIND.ou, org.management, { owner: record.key })) + (await ctx.tx.count(ORG_KIND.account, org.management, { owner: record.key }));
  if (children > 0) throw ouNotEmpty();
  await ctx.tx.unlinkAll(ORG_REL.attached, org.management, { to: record.key });
  await ctx.tx.delete(ORG_KIND.ou, org.management, record.key);
  return {};
}

async function describeOrganizationalUnit(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  return { OrganizationalUnit: ouView(org, await requireOu(ctx, org, p)) };
}

async function listOrganizationalUnitsForParent(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const parent = await requireParent(ctx, org, p);
  const ous = await ctx.tx.list(ORG_KIND.ou, org.management, { owner: parent.record.key });
  return paged('OrganizationalUnits', ous.filter((o) => o.owner === parent.record.key).map((o) => ouView(org, o)), p);
}

async function listRoots(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const root = await ctx.tx.get(ORG_KIND.root, org.management, org.rootId);
  return paged('Roots', root === undefined ? [] : [rootView(org, root)], p);
}

async function listParents(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const child = await findNode(ctx.tx, org, req(p, 'ChildId'));
  if (child === undefined || child.type === 'ROOT') throw childNotFound();
  const parentId = child.record.owner;
  return paged('Parents', [{ Id: parentId, Type: parentId === org.rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT' }], p);
}

async function listChildren(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const org = await requireManagement(ctx);
  const parent = await requireParent(ctx, org, p);
  const type = req(p, 'ChildType');
  const kind = type === 'ACCOUNT' ? ORG_KIND.account : ORG_KIND.ou;
  const children = (await ctx.tx.list(kind, org.management, { owner: parent.record.key })).filter((c) => c.owner === parent.record.key);
  return paged('Children', children.map((c) => ({ Id: c.key, Type: type })), p);
}

/** A request member naming a root, OU or account: its ARN, with its record noted for aws:ResourceTag. */
export function nodeResource(member: string): OperationDefinition['resource'] {
  return orgResource(async (org, ctx, p) => {
    const id = req(p, member);
    const node = await findNode(ctx.tx, org, id);
    if (node === undefined) return arnOfId(org, id);
    const arn = nodeArn(org, node.type, id);
    noteResource(ctx, arn, node.record);
    return arn;
  });
}

export const UNIT_OPERATIONS: readonly OperationDefinition[] = [
  {
    service: 'organizations',
    name: 'CreateOrganizationalUnit',
    resource: nodeResource('ParentId'),
    conditionKeys: (_ctx, p) => requestTagKeys(list<Tag>(p, 'Tags')),
    run: createOrganizationalUnit,
  },
  { service: 'organizations', name: 'UpdateOrganizationalUnit', resource: nodeResource('OrganizationalUnitId'), run: updateOrganizationalUnit },
  { service: 'organizations', name: 'DeleteOrganizationalUnit', resource: nodeResource('OrganizationalUnitId'), run: deleteOrganizationalUnit },
  { service: 'organizations', name: 'DescribeOrganizationalUnit', resource: nodeResource('OrganizationalUnitId'), run: describeOrganizationalUnit },
  { service: 'organizations', name: 'ListOrganizationalUnitsForParent', resource: nodeResource('ParentId'), run: listOrganizationalUnitsForParent },
  { service: 'organizations', name: 'ListRoots', resource: () => '*', run: listRoots },
  { service: 'organizations', name: 'ListParents', resource: nodeResource('ChildId'), run: listParents },
  { service: 'organizations', name: 'ListChildren', resource: nodeResource('ParentId'), run: listChildren },
];
