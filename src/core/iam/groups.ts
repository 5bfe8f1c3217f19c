import type { EntityRecord } from '../../store/store.js';
import { DuplicateKeyError } from '../../store/store.js';
import { groupArn } from '../arns.js';
import { deleteConflict, entityAlreadyExists, noSuchEntity } from '../errors.js';
import { newId } from '../ids.js';
import { type OperationContext, type OperationDefinition, type Params, operationsOf } from '../operation.js';
import { filterPath, mustGet, pageMembers, paginate, req, str } from './common.js';
import { attachmentKey, inlineKey, inlineOwner, KIND, REL } from './kinds.js';
import { QUOTAS, checkAccountQuota, quotaExceeded } from './quotas.js';
import { getUser, userResource, userView } from './users.js';

export const noSuchGroup = (name: string): Error => noSuchEntity(`The group with name ${name} cannot be found.`);

export function arnOfGroup(record: EntityRecord): string {
  return groupArn(record.account, record.path, record.key);
}

/** The Group structure. */
export function groupView(record: EntityRecord): Record<string, unknown> {
  return {
    Path: record.path,
    GroupName: record.key,
    GroupId: record.id,
    Arn: arnOfGroup(record),
    CreateDate: new Date(record.created),
  };
}

export function getGroup(ctx: OperationContext, name: string): Promise<EntityRecord> {
  return mustGet(ctx.tx, KIND.group, ctx.account, name, () => noSuchGroup(name));
}

/** The ARN a group action is authorized against: the group's own, with its path when it exists. */
export async function groupResource(ctx: OperationContext, name: string): Promise<string> {
  const record = await ctx.tx.get(KIND.group, ctx.account, name);
  return record === undefined ? groupArn(ctx.account, '/', name) : arnOfGroup(record);
}

/** The groups a user belongs to, ordered by name as the store lists them. */
export async function groupsOfUser(ctx: OperationContext, userName: string): Promise<EntityRecord[]> {
  const out: EntityRecord[] = [];
  for (const link of await ctx.tx.links(REL.groupMember, ctx.account, { from: userName })) {
    const group = await ctx.tx.get(KIND.group, ctx.account, link.to);
    if (group !== undefined) out.push(group);
  }
  return out.sort(byKey);
}

const byKey = (a: EntityRecord, b: EntityRecord): number => {
  const x = a.key.toLowerCase();
  const y = b.key.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
};

const byGroupName = (ctx: OperationContext, p: Params): Promise<string> => groupResource(ctx, req(p, 'GroupName'));

async function createGroup(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const name = req(p, 'GroupName');
  const path = str(p, 'Path') ?? '/';
  await checkAccountQuota(ctx, KIND.group, 'GroupsPerAccount', QUOTAS.Groups);
  const record: EntityRecord = {
    kind: KIND.group,
    account: ctx.account,
    key: name,
    id: newId('AGPA'),
    path,
    owner: '',
    created: ctx.now.toISOString(),
    data: {},
  };
  try {
    await ctx.tx.insert(record);
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw entityAlreadyExists(`Group with name ${name} already exists.`);
    throw error;
  }
  return { Group: groupView(record) };
}

async function getGroupOp(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const group = await getGroup(ctx, req(p, 'GroupName'));
  const members: EntityRecord[] = [];
  for (const link of await ctx.tx.links(REL.groupMember, ctx.account, { to: group.key })) {
    const user = await ctx.tx.get(KIND.user, ctx.account, link.from);
    if (user !== undefined) members.push(user);
  }
  const page = paginate(members.sort(byKey), p);
  return { Group: groupView(group), Users: page.page.map((u) => userView(u, false)), ...pageMembers(page) };
}

async function updateGroup(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getGroup(ctx, req(p, 'GroupName'));
  const newName = str(p, 'NewGroupName');
  const newPath = str(p, 'NewPath') ?? record.path;
  if (newName === undefined || newName === record.key) {
    await ctx.tx.update({ ...record, path: newPath });
    return {};
  }
  // A change of case only is a rename of the same entity, not a clash with another one.
  if (newName.toLowerCase() !== record.key.toLowerCase() && (await ctx.tx.get(KIND.group, ctx.account, newName)) !== undefined) {
    throw entityAlreadyExists(`Group with name ${newName} already exists.`);
  }
  await renameGroup(ctx, record, newName, newPath);
  return {};
}

/** Moves a group and everything keyed by its name: memberships, attachments, inline policies. */
async function renameGroup(ctx: OperationContext, record: EntityRecord, newName: string, newPath: string): Promise<void> {
  const { tx, account } = ctx;
  const old = record.key;
  await tx.delete(KIND.group, account, old);
  await tx.insert({ ...record, key: newName, path: newPath });
  for (const link of await tx.links(REL.groupMember, account, { to: old })) {
    await tx.unlink(REL.groupMember, account, link.from, link.to);
    await tx.link({ ...link, to: newName });
  }
  const oldKey = attachmentKey('group', old);
  for (const link of await tx.links(REL.attached, account, { from: oldKey })) {
    await tx.unlink(REL.attached, account, oldKey, link.to);
    await tx.link({ ...link, from: attachmentKey('group', newName) });
  }
  const oldOwner = inlineOwner('group', old);
  for (const policy of await tx.list(KIND.inlinePolicy, account, { owner: oldOwner })) {
    const policyName = policy.key.slice(oldOwner.length + 1);
    await tx.delete(KIND.inlinePolicy, account, policy.key);
    await tx.insert({ ...policy, key: inlineKey('group', newName, policyName), owner: inlineOwner('group', newName) });
  }
}

async function deleteGroup(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getGroup(ctx, req(p, 'GroupName'));
  const { tx, account } = ctx;
  if ((await tx.countLinks(REL.groupMember, account, { to: record.key })) > 0) throw deleteConflict('Cannot delete entity, must remove users from group first.');
  if ((await tx.count(KIND.inlinePolicy, account, { owner: inlineOwner('group', record.key) })) > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
  if ((await tx.countLinks(REL.attached, account, { from: attachmentKey('group', record.key) })) > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
  await tx.delete(KIND.group, account, record.key);
  return {};
}

async function listGroups(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const groups = filterPath(await ctx.tx.list(KIND.group, ctx.account), p);
  const page = paginate(groups, p);
  return { Groups: page.page.map(groupView), ...pageMembers(page) };
}

async function addUserToGroup(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const group = await getGroup(ctx, req(p, 'GroupName'));
  const user = await getUser(ctx, req(p, 'UserName'));
  const { tx, account } = ctx;
  const current = await tx.links(REL.groupMember, account, { from: user.key });
  // Adding a member twice succeeds without change, as IAM does.
  if (current.some((l) => l.to.toLowerCase() === group.key.toLowerCase())) return {};
  if (current.length >= QUOTAS.GroupsPerUserQuota) {
    throw quotaExceeded('GroupsPerUser', QUOTAS.GroupsPerUserQuota);
  }
  await tx.link({ relation: REL.groupMember, account, from: user.key, to: group.key, created: ctx.now.toISOString(), data: {} });
  return {};
}

async function removeUserFromGroup(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const group = await getGroup(ctx, req(p, 'GroupName'));
  const user = await getUser(ctx, req(p, 'UserName'));
  // Removing a user that is not a member leaves nothing to do; answered as a success, like adding twice.
  await ctx.tx.unlink(REL.groupMember, ctx.account, user.key, group.key);
  return {};
}

async function listGroupsForUser(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const user = await getUser(ctx, req(p, 'UserName'));
  const page = paginate(await groupsOfUser(ctx, user.key), p);
  return { Groups: page.page.map(groupView), ...pageMembers(page) };
}

const op = operationsOf('iam', byGroupName);

export const GROUP_OPERATIONS: readonly OperationDefinition[] = [
  op('CreateGroup', createGroup, { resource: (ctx, p) => groupArn(ctx.account, str(p, 'Path') ?? '/', req(p, 'GroupName')) }),
  op('GetGroup', getGroupOp),
  op('UpdateGroup', updateGroup),
  op('DeleteGroup', deleteGroup),
  op('ListGroups', listGroups, { resource: (ctx) => `arn:aws:iam::${ctx.account}:group/` }),
  op('AddUserToGroup', addUserToGroup),
  op('RemoveUserFromGroup', removeUserFromGroup),
  op('ListGroupsForUser', listGroupsForUser, { resource: (ctx, p) => userResource(ctx, req(p, 'UserName')) }),
];
