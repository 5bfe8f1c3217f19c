import { tagEntity, untagEntity, listEntityTags, tagRequestKeys, untagRequestKeys } from './tagging.js';
import type { EntityRecord } from '../../store/store.js';
import { DuplicateKeyError } from '../../store/store.js';
import { instanceProfileArn } from '../arns.js';
import { deleteConflict, entityAlreadyExists, noSuchEntity } from '../errors.js';
import { newId } from '../ids.js';
import { type AlsoRequired, type OperationContext, type OperationDefinition, type Params, operationsOf } from '../operation.js';
import {
  checkTags,
  filterPath,
  list,
  mustGet,
  pageMembers,
  paginate,
  req,
  str,
  tagsOf,
  type Tag,
} from './common.js';
import { KIND, REL } from './kinds.js';
import { QUOTAS, checkAccountQuota, quotaExceeded } from './quotas.js';
import { assertModifiable, getRole, roleResource, roleView } from './roles.js';
import { withCurrentTrust } from './trust-principals.js';

export const noSuchInstanceProfile = (name: string): Error => noSuchEntity(`Instance Profile ${name} cannot be found.`);

export function arnOfInstanceProfile(record: EntityRecord): string {
  return instanceProfileArn(record.account, record.path, record.key);
}

function getProfile(ctx: OperationContext, name: string): Promise<EntityRecord> {
  return mustGet(ctx.tx, KIND.instanceProfile, ctx.account, name, () => noSuchInstanceProfile(name));
}

/** The InstanceProfile structure with its role (IAM allows one), whose trust policy is URL-encoded like GetRole's. */
async function profileView(ctx: OperationContext, record: EntityRecord, withTags: boolean): Promise<Record<string, unknown>> {
  const roles: Record<string, unknown>[] = [];
  for (const link of await ctx.tx.links(REL.profileRole, ctx.account, { from: record.key })) {
    const role = await ctx.tx.get(KIND.role, ctx.account, link.to);
    if (role !== undefined) roles.push(roleView(await withCurrentTrust(ctx.tx, role), false));
  }
  const tags = tagsOf(record);
  return {
    Path: record.path,
    InstanceProfileName: record.key,
    InstanceProfileId: record.id,
    Arn: arnOfInstanceProfile(record),
    CreateDate: new Date(record.created),
    Roles: roles,
    ...(withTags && tags.length > 0 ? { Tags: tags } : {}),
  };
}

async function profileResource(ctx: OperationContext, name: string): Promise<string> {
  const record = await ctx.tx.get(KIND.instanceProfile, ctx.account, name);
  return record === undefined ? instanceProfileArn(ctx.account, '/', name) : arnOfInstanceProfile(record);
}

const byProfileName = (ctx: OperationContext, p: Params): Promise<string> => profileResource(ctx, req(p, 'InstanceProfileName'));

async function createProfile(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const name = req(p, 'InstanceProfileName');
  const tags = list<Tag>(p, 'Tags');
  checkTags(tags);
  await checkAccountQuota(ctx, KIND.instanceProfile, 'InstanceProfilesPerAccount', QUOTAS.InstanceProfiles);
  const record: EntityRecord = {
    kind: KIND.instanceProfile,
    account: ctx.account,
    key: name,
    id: newId('AIPA'),
    path: str(p, 'Path') ?? '/',
    owner: '',
    created: ctx.now.toISOString(),
    data: { tags },
  };
  try {
    await ctx.tx.insert(record);
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw entityAlreadyExists(`Instance Profile ${name} already exists.`);
    throw error;
  }
  return { InstanceProfile: await profileView(ctx, record, true) };
}

async function getProfileOp(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getProfile(ctx, req(p, 'InstanceProfileName'));
  return { InstanceProfile: await profileView(ctx, record, true) };
}

async function deleteProfile(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getProfile(ctx, req(p, 'InstanceProfileName'));
  if ((await ctx.tx.countLinks(REL.profileRole, ctx.account, { from: record.key })) > 0) {
    throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
  }
  await ctx.tx.delete(KIND.instanceProfile, ctx.account, record.key);
  return {};
}

async function listProfiles(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const profiles = filterPath(await ctx.tx.list(KIND.instanceProfile, ctx.account), p);
  const page = paginate(profiles, p);
  const views: Record<string, unknown>[] = [];
  for (const record of page.page) views.push(await profileView(ctx, record, false));
  return { InstanceProfiles: views, ...pageMembers(page) };
}

async function addRole(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const profile = await getProfile(ctx, req(p, 'InstanceProfileName'));
  const role = await getRole(ctx, req(p, 'RoleName'));
  assertModifiable(role);
  // The quota is one role per profile and cannot be raised; a second add of the same role counts against it too.
  if ((await ctx.tx.countLinks(REL.profileRole, ctx.account, { from: profile.key })) >= QUOTAS.InstanceProfilesPerRoleQuota) {
    throw quotaExceeded('InstanceSessionsPerInstanceProfile', QUOTAS.InstanceProfilesPerRoleQuota);
  }
  await ctx.tx.link({ relation: REL.profileRole, account: ctx.account, from: profile.key, to: role.key, created: ctx.now.toISOString(), data: {} });
  return {};
}

async function removeRole(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const profile = await getProfile(ctx, req(p, 'InstanceProfileName'));
  const roleName = req(p, 'RoleName');
  const role = await getRole(ctx, roleName);
  assertModifiable(role);
  if (!(await ctx.tx.unlink(REL.profileRole, ctx.account, profile.key, role.key))) {
    throw noSuchEntity(`The role with name ${roleName} cannot be found.`);
  }
  return {};
}

async function listProfilesForRole(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const role = await getRole(ctx, req(p, 'RoleName'));
  const profiles: EntityRecord[] = [];
  for (const link of await ctx.tx.links(REL.profileRole, ctx.account, { to: role.key })) {
    const profile = await ctx.tx.get(KIND.instanceProfile, ctx.account, link.from);
    if (profile !== undefined) profiles.push(profile);
  }
  profiles.sort((a, b) => a.key.toLowerCase().localeCompare(b.key.toLowerCase()));
  const page = paginate(profiles, p);
  const views: Record<string, unknown>[] = [];
  for (const record of page.page) views.push(await profileView(ctx, record, false));
  return { InstanceProfiles: views, ...pageMembers(page) };
}

async function tagProfile(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return tagEntity(ctx, await getProfile(ctx, req(p, 'InstanceProfileName')), p);
}

async function untagProfile(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return untagEntity(ctx, await getProfile(ctx, req(p, 'InstanceProfileName')), p);
}

async function listProfileTags(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return listEntityTags(await getProfile(ctx, req(p, 'InstanceProfileName')), p);
}

/**
 * AWS requires iam:PassRole on the role besides the action on the profile: a role in an instance profile is passed to
 * EC2 (whoever may launch with the profile gets the role's permissions). AWS evaluates iam:AssociatedResourceArn as
 * any instance of the account in any Region here, since no instance is known yet.
 */
async function passRole(ctx: OperationContext, p: Params): Promise<AlsoRequired[]> {
  return [
    {
      action: 'iam:PassRole',
      resource: await roleResource(ctx, req(p, 'RoleName')),
      conditionKeys: { 'iam:PassedToService': 'ec2.amazonaws.com', 'iam:AssociatedResourceArn': `arn:aws:ec2:*:${ctx.account}:instance/*` },
    },
  ];
}

const op = operationsOf('iam', byProfileName);

export const INSTANCE_PROFILE_OPERATIONS: readonly OperationDefinition[] = [
  op('CreateInstanceProfile', createProfile, {
    resource: (ctx, p) => instanceProfileArn(ctx.account, str(p, 'Path') ?? '/', req(p, 'InstanceProfileName')),
    conditionKeys: tagRequestKeys,
  }),
  op('GetInstanceProfile', getProfileOp),
  op('DeleteInstanceProfile', deleteProfile),
  op('ListInstanceProfiles', listProfiles, { resource: (ctx) => instanceProfileArn(ctx.account, '/', '') }),
  op('AddRoleToInstanceProfile', addRole, { alsoRequires: passRole }),
  op('RemoveRoleFromInstanceProfile', removeRole),
  op('ListInstanceProfilesForRole', listProfilesForRole, { resource: (ctx, p) => roleResource(ctx, req(p, 'RoleName')) }),
  op('TagInstanceProfile', tagProfile, { conditionKeys: tagRequestKeys }),
  op('UntagInstanceProfile', untagProfile, { conditionKeys: untagRequestKeys }),
  op('ListInstanceProfileTags', listProfileTags),
];
