import { boundaryData, boundaryRequestKeys, clearBoundary, createRequestKeys, setBoundary } from './boundaries.js';
import { tagEntity, untagEntity, listEntityTags, tagRequestKeys, untagRequestKeys } from './tagging.js';
import type { EntityRecord } from '../../store/store.js';
import { DuplicateKeyError } from '../../store/store.js';
import { rootArn, userArn } from '../arns.js';
import { deleteConflict, entityAlreadyExists, noSuchEntity } from '../errors.js';
import { newId } from '../ids.js';
import { type OperationContext, type OperationDefinition, type Params, operationsOf } from '../operation.js';
import {
  checkTags,
  list,
  mustGet,
  pageMembers,
  listPage,
  req,
  str,
  tagsOf,
  type Tag,
} from './common.js';
import { implicitTarget, targetUserName } from './implicit-target.js';
import { attachmentKey, inlineOwner, KIND, REL } from './kinds.js';
import { passwordLastUsed } from './last-used.js';
import { accountCreateDate } from './account-creation.js';
import { resolvePolicyMember } from './policy-lookup.js';
import { noteResource } from '../request-context.js';
import { QUOTAS, checkAccountQuota } from './quotas.js';
import { forgetPrincipalAccess } from './access-advisor/records.js';

export const noSuchUser = (name: string): Error => noSuchEntity(`The user with name ${name} cannot be found.`);

export function arnOfUser(record: EntityRecord): string {
  return userArn(record.account, record.path, record.key);
}

/** The User structure; `full` adds what GetUser returns beyond ListUsers (tags, boundary). */
export function userView(record: EntityRecord, full: boolean): Record<string, unknown> {
  // Assigned field by field rather than spread from conditional objects: GetUser builds this on every call.
  const view: Record<string, unknown> = {
    Path: record.path,
    UserName: record.key,
    UserId: record.id,
    Arn: arnOfUser(record),
    CreateDate: new Date(record.created),
  };
  const passwordUsed = passwordLastUsed(record);
  if (passwordUsed !== undefined) view['PasswordLastUsed'] = passwordUsed;
  if (full) {
    const boundary = record.data['permissionsBoundary'] as string | undefined;
    if (boundary !== undefined) {
      view['PermissionsBoundary'] = { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: boundary };
    }
    const tags = tagsOf(record);
    if (tags.length > 0) view['Tags'] = tags;
  }
  return view;
}

/** Serial numbers of the MFA devices enabled for the user: EnableMFADevice keeps them on the user's record. */
export function mfaSerialsOf(user: EntityRecord): readonly string[] {
  return (user.data['mfaDevices'] as string[] | undefined) ?? [];
}

export function getUser(ctx: OperationContext, name: string): Promise<EntityRecord> {
  return mustGet(ctx.tx, KIND.user, ctx.account, name, () => noSuchUser(name));
}

/**
 * The ARN a user action is authorized against: the user's own, with its path when it exists. Without a name, the
 * implicit target's (the calling user's, or root's for the root user); other callers get AWS's ValidationError here,
 * before authorization, as AWS answers them.
 */
export async function userResource(ctx: OperationContext, name: string | undefined): Promise<string> {
  // The calling user's own ARN is the one it authenticated as: no store read on this common path (GetUser).
  if (name === undefined) return implicitTarget(ctx.caller).kind === 'root' ? rootArn(ctx.account) : ctx.caller.arn;
  const record = await ctx.tx.get(KIND.user, ctx.account, name);
  if (record === undefined) return userArn(ctx.account, '/', name);
  const arn = arnOfUser(record);
  noteResource(ctx, arn, record);
  return arn;
}

const byUserName = (ctx: OperationContext, p: Params): Promise<string> => userResource(ctx, str(p, 'UserName'));

async function createUser(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const name = req(p, 'UserName');
  const path = str(p, 'Path') ?? '/';
  const tags = list<Tag>(p, 'Tags');
  checkTags(tags);
  const boundary = str(p, 'PermissionsBoundary');
  const boundaryFields = boundary !== undefined ? await boundaryData(ctx, boundary) : {};
  await checkAccountQuota(ctx, KIND.user, 'UsersPerAccount', ctx.services.maxUsersPerAccount ?? QUOTAS.Users);
  const record: EntityRecord = {
    kind: KIND.user,
    account: ctx.account,
    key: name,
    id: newId('AIDA'),
    path,
    owner: '',
    created: ctx.now.toISOString(),
    data: { tags, ...boundaryFields },
  };
  try {
    await ctx.tx.insert(record);
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw entityAlreadyExists(`User with name ${name} already exists.`);
    throw error;
  }
  return { User: userView(record, true) };
}

async function getUserOp(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const name = targetUserName(ctx.caller, str(p, 'UserName'));
  if (name === undefined) {
    // The root user asking about itself: AWS answers with the account's identity, as old as the account.
    return { User: { UserId: ctx.account, Arn: rootArn(ctx.account), CreateDate: await accountCreateDate(ctx.tx, ctx.account) } };
  }
  return { User: userView(await getUser(ctx, name), true) };
}

async function updateUser(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const name = req(p, 'UserName');
  const record = await getUser(ctx, name);
  const newName = str(p, 'NewUserName');
  const newPath = str(p, 'NewPath') ?? record.path;
  if (newName === undefined || newName === record.key) {
    await ctx.tx.update({ ...record, path: newPath });
    return {};
  }
  if (newName.toLowerCase() !== record.key.toLowerCase() && (await ctx.tx.get(KIND.user, ctx.account, newName)) !== undefined) {
    throw entityAlreadyExists(`User with name ${newName} already exists.`);
  }
  await renameUser(ctx, record, newName, newPath);
  return {};
}

/** Moves a user and everything keyed by its name (memberships, attachments, inline policies, keys, password). */
async function renameUser(ctx: OperationContext, record: EntityRecord, newName: string, newPath: string): Promise<void> {
  const { tx, account } = ctx;
  const old = record.key;
  await tx.delete(KIND.user, account, old);
  await tx.insert({ ...record, key: newName, path: newPath });
  for (const link of await tx.links(REL.groupMember, account, { from: old })) {
    await tx.unlink(REL.groupMember, account, old, link.to);
    await tx.link({ ...link, from: newName });
  }
  const oldKey = attachmentKey('user', old);
  for (const link of await tx.links(REL.attached, account, { from: oldKey })) {
    await tx.unlink(REL.attached, account, oldKey, link.to);
    await tx.link({ ...link, from: attachmentKey('user', newName) });
  }
  for (const policy of await tx.list(KIND.inlinePolicy, account, { owner: inlineOwner('user', old) })) {
    const policyName = policy.key.slice(inlineOwner('user', old).length + 1);
    await tx.delete(KIND.inlinePolicy, account, policy.key);
    await tx.insert({ ...policy, key: `${inlineOwner('user', newName)}/${policyName}`, owner: inlineOwner('user', newName) });
  }
  for (const kind of [KIND.accessKey, KIND.serviceSpecificCredential, KIND.sshPublicKey, KIND.signingCertificate]) {
    for (const credential of await tx.list(kind, account, { owner: old })) await tx.update({ ...credential, owner: newName });
  }
  const profile = await tx.get(KIND.loginProfile, account, old);
  if (profile !== undefined) {
    await tx.delete(KIND.loginProfile, account, old);
    await tx.insert({ ...profile, key: newName });
  }
}

async function deleteUser(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const name = req(p, 'UserName');
  const record = await getUser(ctx, name);
  const { tx, account } = ctx;
  if ((await tx.get(KIND.loginProfile, account, record.key)) !== undefined) throw deleteConflict('Cannot delete entity, must delete login profile first.');
  if ((await tx.count(KIND.accessKey, account, { owner: record.key })) > 0) throw deleteConflict('Cannot delete entity, must delete access keys first.');
  if ((await tx.count(KIND.serviceSpecificCredential, account, { owner: record.key })) > 0) throw deleteConflict('Cannot delete entity, must delete service specific credentials first.');
  if ((await tx.count(KIND.signingCertificate, account, { owner: record.key })) > 0) throw deleteConflict('Cannot delete entity, must delete signing certificates first.');
  if ((await tx.count(KIND.sshPublicKey, account, { owner: record.key })) > 0) throw deleteConflict('Cannot delete entity, must delete SSH public keys first.');
  if ((await tx.count(KIND.inlinePolicy, account, { owner: inlineOwner('user', record.key) })) > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
  if ((await tx.countLinks(REL.attached, account, { from: attachmentKey('user', record.key) })) > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
  if ((await tx.countLinks(REL.groupMember, account, { from: record.key })) > 0) throw deleteConflict('Cannot delete entity, must remove users from group first.');
  if (mfaSerialsOf(record).length > 0) throw deleteConflict('Cannot delete entity, must delete MFA device first.');
  await tx.delete(KIND.user, account, record.key);
  await forgetPrincipalAccess(tx, account, record.id);
  return {};
}

async function listUsers(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  // The page alone is read: an account may hold thousands of users.
  const page = await listPage(ctx.tx, KIND.user, ctx.account, p);
  return { Users: page.page.map((u) => userView(u, false)), ...pageMembers(page) };
}

async function tagUser(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return tagEntity(ctx, await getUser(ctx, req(p, 'UserName')), p);
}

async function untagUser(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return untagEntity(ctx, await getUser(ctx, req(p, 'UserName')), p);
}

async function listUserTags(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return listEntityTags(await getUser(ctx, req(p, 'UserName')), p);
}

async function putBoundary(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getUser(ctx, req(p, 'UserName'));
  return setBoundary(ctx, record, p);
}

async function deleteBoundary(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getUser(ctx, req(p, 'UserName'));
  return clearBoundary(ctx, record);
}

const op = operationsOf('iam', byUserName);

export const USER_OPERATIONS: readonly OperationDefinition[] = [
  op('CreateUser', createUser, {
    resource: async (ctx, p) => {
      await resolvePolicyMember(ctx, p, 'PermissionsBoundary');
      return userArn(ctx.account, str(p, 'Path') ?? '/', req(p, 'UserName'));
    },
    conditionKeys: createRequestKeys,
  }),
  op('GetUser', getUserOp),
  op('UpdateUser', updateUser),
  op('DeleteUser', deleteUser),
  op('ListUsers', listUsers, { resource: (ctx) => userArn(ctx.account, '/', '') }),
  op('TagUser', tagUser, { conditionKeys: tagRequestKeys }),
  op('UntagUser', untagUser, { conditionKeys: untagRequestKeys }),
  op('ListUserTags', listUserTags),
  op('PutUserPermissionsBoundary', putBoundary, {
    resource: async (ctx, p) => {
      await resolvePolicyMember(ctx, p, 'PermissionsBoundary');
      return byUserName(ctx, p);
    },
    conditionKeys: boundaryRequestKeys,
  }),
  op('DeleteUserPermissionsBoundary', deleteBoundary),
];
