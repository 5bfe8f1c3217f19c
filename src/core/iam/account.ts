import type { EntityRecord } from '../../store/store.js';
import { DuplicateKeyError } from '../../store/store.js';
import { instanceProfileArn, policyArn } from '../arns.js';
import { entityAlreadyExists, noSuchEntity } from '../errors.js';
import { type AwsManagedPolicy, type OperationContext, type OperationDefinition, type Params, operationsOf } from '../operation.js';
import { encodeDocument, list, pageMembers, paginate, req, tagsOf } from './common.js';
import { ROOT_KEY_OWNER } from './access-keys.js';
import { groupsOfUser, groupView } from './groups.js';
import { attachmentKey, inlineOwner, KIND, REL, type PrincipalEntityType } from './kinds.js';
import { globalEndpointTokenVersion } from './outbound-federation.js';
import { parsePolicyArn } from './policy-lookup.js';
import { QUOTAS } from './quotas.js';
import { roleView } from './roles.js';
import { withCurrentTrust } from './trust-principals.js';
import { MFA_DEVICE_KIND, ROOT_MFA_OWNER } from './mfa-devices.js';
import { OIDC_PROVIDER_KIND } from './oidc-providers.js';
import { SAML_PROVIDER_KIND } from './saml-providers.js';
import { userView } from './users.js';

// ---- Account aliases ----

/**
 * Aliases are unique across all accounts, as AWS sign-in URLs need. The Store lists per account, but an entity's id
 * is unique across accounts: an alias's id is derived from its text, so a second account taking it is refused by
 * the store itself.
 */
const aliasId = (alias: string): string => `account-alias:${alias}`;

async function createAccountAlias(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const alias = req(p, 'AccountAlias');
  const taken = await ctx.tx.getById(KIND.accountAlias, aliasId(alias));
  if (taken !== undefined) {
    if (taken.account === ctx.account) return {};
    throw entityAlreadyExists(`The account alias ${alias} already exists.`);
  }
  // An account has one alias: a new one replaces the old, as the AWS Sign-In guide describes.
  for (const old of await ctx.tx.list(KIND.accountAlias, ctx.account)) await ctx.tx.delete(KIND.accountAlias, ctx.account, old.key);
  try {
    await ctx.tx.insert({
      kind: KIND.accountAlias,
      account: ctx.account,
      key: alias,
      id: aliasId(alias),
      path: '/',
      owner: '',
      created: ctx.now.toISOString(),
      data: {},
    });
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw entityAlreadyExists(`The account alias ${alias} already exists.`);
    throw error;
  }
  return {};
}

async function deleteAccountAlias(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const alias = req(p, 'AccountAlias');
  if (!(await ctx.tx.delete(KIND.accountAlias, ctx.account, alias))) throw noSuchEntity(`The account alias ${alias} cannot be found.`);
  return {};
}

async function listAccountAliases(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const page = paginate(await ctx.tx.list(KIND.accountAlias, ctx.account), p);
  return { AccountAliases: page.page.map((a) => a.key), ...pageMembers(page) };
}

// ---- Account summary ----

/**
 * SummaryMap is a map (summaryKeyType → integer): returned as a plain object whose own keys are the map's keys, in
 * the order the encoder should write its entries.
 */
async function getAccountSummary(ctx: OperationContext): Promise<Record<string, unknown>> {
  const { tx, account } = ctx;
  // MFADevices counts every virtual device, assigned or not; MFADevicesInUse those assigned to a user or to the root
  // user (AWS's own example answers 6 and 3).
  const devices = await tx.list(MFA_DEVICE_KIND, account);
  const inUse = devices.filter((d) => d.owner !== '').length;
  const summary: Record<string, number> = {
    Users: await tx.count(KIND.user, account),
    UsersQuota: ctx.services.maxUsersPerAccount ?? QUOTAS.Users,
    Groups: await tx.count(KIND.group, account),
    GroupsQuota: QUOTAS.Groups,
    Roles: await tx.count(KIND.role, account),
    RolesQuota: QUOTAS.Roles,
    Policies: await tx.count(KIND.policy, account),
    PoliciesQuota: QUOTAS.Policies,
    InstanceProfiles: await tx.count(KIND.instanceProfile, account),
    InstanceProfilesQuota: QUOTAS.InstanceProfiles,
    ServerCertificates: await tx.count(KIND.serverCertificate, account),
    ServerCertificatesQuota: QUOTAS.ServerCertificates,
    // Identity providers of both kinds, as IAM's console lists them together.
    Providers: (await tx.count(SAML_PROVIDER_KIND, account)) + (await tx.count(OIDC_PROVIDER_KIND, account)),
    MFADevices: devices.length,
    MFADevicesInUse: inUse,
    AccountMFAEnabled: devices.some((d) => d.owner === ROOT_MFA_OWNER) ? 1 : 0,
    AccountAccessKeysPresent: (await tx.count(KIND.accessKey, account, { owner: ROOT_KEY_OWNER })) > 0 ? 1 : 0,
    AccountSigningCertificatesPresent: (await tx.count(KIND.signingCertificate, account, { owner: ROOT_KEY_OWNER })) > 0 ? 1 : 0,
    PolicyVersionsInUse: await tx.countLinks(REL.attached, account),
    PolicyVersionsInUseQuota: QUOTAS.PolicyVersionsInUseQuota,
    VersionsPerPolicyQuota: QUOTAS.VersionsPerPolicyQuota,
    PolicySizeQuota: QUOTAS.PolicySizeQuota,
    UserPolicySizeQuota: QUOTAS.UserPolicySizeQuota,
    GroupPolicySizeQuota: QUOTAS.GroupPolicySizeQuota,
    RolePolicySizeQuota: QUOTAS.RolePolicySizeQuota,
    AssumeRolePolicySizeQuota: QUOTAS.AssumeRolePolicySizeQuota,
    GroupsPerUserQuota: QUOTAS.GroupsPerUserQuota,
    AccessKeysPerUserQuota: QUOTAS.AccessKeysPerUserQuota,
    SigningCertificatesPerUserQuota: QUOTAS.SigningCertificatesPerUserQuota,
    AttachedPoliciesPerUserQuota: QUOTAS.AttachedPoliciesPerUserQuota,
    AttachedPoliciesPerGroupQuota: QUOTAS.AttachedPoliciesPerGroupQuota,
    AttachedPoliciesPerRoleQuota: QUOTAS.AttachedPoliciesPerRoleQuota,
    GlobalEndpointTokenVersion: await globalEndpointTokenVersion(tx, account),
  };
  return { SummaryMap: summary };
}

// ---- Authorization details ----

/** IAM returns policy documents in this operation URL-encoded, as it stores them. */

async function inlinePolicies(ctx: OperationContext, type: PrincipalEntityType, name: string): Promise<Record<string, unknown>[]> {
  const owner = inlineOwner(type, name);
  return (await ctx.tx.list(KIND.inlinePolicy, ctx.account, { owner })).map((r) => ({
    PolicyName: r.key.slice(owner.length + 1),
    PolicyDocument: encodeDocument((r.data['document'] as string | undefined) ?? '{}'),
  }));
}

async function attachedPolicies(ctx: OperationContext, type: PrincipalEntityType, name: string): Promise<Record<string, unknown>[]> {
  return (await ctx.tx.links(REL.attached, ctx.account, { from: attachmentKey(type, name) }))
    .map((l) => ({ PolicyName: parsePolicyArn(l.to)?.name ?? l.to, PolicyArn: l.to }))
    .sort((a, b) => (a.PolicyName < b.PolicyName ? -1 : a.PolicyName > b.PolicyName ? 1 : 0));
}

function boundaryMember(record: EntityRecord): Record<string, unknown> {
  const arn = record.data['permissionsBoundary'] as string | undefined;
  return arn === undefined ? {} : { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn } };
}

function tagsMember(record: EntityRecord): Record<string, unknown> {
  const tags = tagsOf(record);
  return tags.length > 0 ? { Tags: tags } : {};
}

async function userDetail(ctx: OperationContext, user: EntityRecord): Promise<Record<string, unknown>> {
  const { Path, UserName, UserId, Arn, CreateDate } = userView(user, false);
  return {
    Path,
    UserName,
    UserId,
    Arn,
    CreateDate,
    UserPolicyList: await inlinePolicies(ctx, 'user', user.key),
    GroupList: (await groupsOfUser(ctx, user.key)).map((g) => g.key),
    AttachedManagedPolicies: await attachedPolicies(ctx, 'user', user.key),
    ...boundaryMember(user),
    ...tagsMember(user),
  };
}

async function groupDetail(ctx: OperationContext, group: EntityRecord): Promise<Record<string, unknown>> {
  return {
    ...groupView(group),
    GroupPolicyList: await inlinePolicies(ctx, 'group', group.key),
    AttachedManagedPolicies: await attachedPolicies(ctx, 'group', group.key),
  };
}

async function instanceProfilesOf(ctx: OperationContext, role: EntityRecord): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const link of await ctx.tx.links(REL.profileRole, ctx.account, { to: role.key })) {
    const profile = await ctx.tx.get(KIND.instanceProfile, ctx.account, link.from);
    if (profile === undefined) continue;
    out.push({
      Path: profile.path,
      InstanceProfileName: profile.key,
      InstanceProfileId: profile.id,
      Arn: instanceProfileArn(profile.account, profile.path, profile.key),
      CreateDate: new Date(profile.created),
      Roles: [roleView(await withCurrentTrust(ctx.tx, role), false)],
      ...tagsMember(profile),
    });
  }
  return out;
}

async function roleDetail(ctx: OperationContext, role: EntityRecord): Promise<Record<string, unknown>> {
  // RoleDetail has the Role structure's members but for the description and session duration.
  const { Description: _d, MaxSessionDuration: _m, PermissionsBoundary, Tags, RoleLastUsed, ...summary } = roleView(await withCurrentTrust(ctx.tx, role), true);
  return {
    ...summary,
    InstanceProfileList: await instanceProfilesOf(ctx, role),
    RolePolicyList: await inlinePolicies(ctx, 'role', role.key),
    AttachedManagedPolicies: await attachedPolicies(ctx, 'role', role.key),
    ...(PermissionsBoundary !== undefined ? { PermissionsBoundary } : {}),
    ...(Tags !== undefined ? { Tags } : {}),
    RoleLastUsed,
  };
}

interface PolicyUsage {
  readonly attachments: ReadonlyMap<string, number>;
  readonly boundaries: ReadonlyMap<string, number>;
}

/** How many entities each managed policy is attached to, and is the permissions boundary of, in the account. */
async function policyUsage(ctx: OperationContext, users: readonly EntityRecord[], roles: readonly EntityRecord[]): Promise<PolicyUsage> {
  const attachments = new Map<string, number>();
  for (const link of await ctx.tx.links(REL.attached, ctx.account)) attachments.set(link.to, (attachments.get(link.to) ?? 0) + 1);
  const boundaries = new Map<string, number>();
  for (const record of [...users, ...roles]) {
    const arn = record.data['permissionsBoundary'] as string | undefined;
    if (arn !== undefined) boundaries.set(arn, (boundaries.get(arn) ?? 0) + 1);
  }
  return { attachments, boundaries };
}

async function customerPolicyDetail(ctx: OperationContext, policy: EntityRecord, usage: PolicyUsage): Promise<Record<string, unknown>> {
  const arn = policyArn(policy.account, policy.path, policy.key);
  const defaultVersionId = policy.data['defaultVersionId'] as string;
  const description = policy.data['description'] as string | undefined;
  const versions = await ctx.tx.list(KIND.policyVersion, ctx.account, { owner: policy.key });
  return {
    PolicyName: policy.key,
    PolicyId: policy.id,
    Arn: arn,
    Path: policy.path,
    DefaultVersionId: defaultVersionId,
    AttachmentCount: usage.attachments.get(arn) ?? 0,
    PermissionsBoundaryUsageCount: usage.boundaries.get(arn) ?? 0,
    IsAttachable: true,
    ...(description !== undefined ? { Description: description } : {}),
    CreateDate: new Date(policy.created),
    UpdateDate: new Date((policy.data['updated'] as string | undefined) ?? policy.created),
    PolicyVersionList: versions.map((v) => {
      const versionId = v.key.slice(policy.key.length + 1);
      return {
        Document: encodeDocument((v.data['document'] as string | undefined) ?? '{}'),
        VersionId: versionId,
        IsDefaultVersion: versionId === defaultVersionId,
        CreateDate: new Date(v.created),
      };
    }),
  };
}

function awsPolicyDetail(policy: AwsManagedPolicy, usage: PolicyUsage): Record<string, unknown> {
  return {
    PolicyName: policy.name,
    PolicyId: policy.id,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: usage.attachments.get(policy.arn) ?? 0,
    PermissionsBoundaryUsageCount: usage.boundaries.get(policy.arn) ?? 0,
    IsAttachable: true,
    ...(policy.description !== undefined ? { Description: policy.description } : {}),
    CreateDate: policy.createDate,
    UpdateDate: policy.updateDate,
    PolicyVersionList: policy.versions.map((v) => ({
      Document: encodeDocument(v.document),
      VersionId: v.versionId,
      IsDefaultVersion: v.versionId === policy.defaultVersionId,
      CreateDate: v.createDate,
    })),
  };
}

type DetailKind = 'User' | 'Group' | 'Role' | 'LocalManagedPolicy' | 'AWSManagedPolicy';
const ALL_KINDS: readonly DetailKind[] = ['User', 'Group', 'Role', 'LocalManagedPolicy', 'AWSManagedPolicy'];

/** One entry of the combined listing: what it is and how to build its detail when it lands on the page. */
interface DetailEntry {
  readonly list: 'UserDetailList' | 'GroupDetailList' | 'RoleDetailList' | 'Policies';
  readonly build: () => Promise<Record<string, unknown>> | Record<string, unknown>;
}

/**
 * Users, groups, roles and managed policies in one listing. MaxItems and Marker page through all of them together,
 * so details are only built for the entries on the page asked for. AWS managed policies are listed when something
 * in the account uses them (attached, or as a permissions boundary).
 */
async function getAccountAuthorizationDetails(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const filter = list<DetailKind>(p, 'Filter');
  const wanted = new Set<DetailKind>(filter.length > 0 ? filter : ALL_KINDS);
  const { tx, account } = ctx;
  const users = await tx.list(KIND.user, account);
  const roles = await tx.list(KIND.role, account);
  const usage = await policyUsage(ctx, users, roles);
  const entries: DetailEntry[] = [];
  if (wanted.has('User')) for (const u of users) entries.push({ list: 'UserDetailList', build: () => userDetail(ctx, u) });
  if (wanted.has('Group')) {
    for (const g of await tx.list(KIND.group, account)) entries.push({ list: 'GroupDetailList', build: () => groupDetail(ctx, g) });
  }
  if (wanted.has('Role')) for (const r of roles) entries.push({ list: 'RoleDetailList', build: () => roleDetail(ctx, r) });
  if (wanted.has('LocalManagedPolicy')) {
    for (const policy of await tx.list(KIND.policy, account)) {
      entries.push({ list: 'Policies', build: () => customerPolicyDetail(ctx, policy, usage) });
    }
  }
  if (wanted.has('AWSManagedPolicy')) {
    const catalog = ctx.services.awsManagedPolicies();
    const used = [...new Set([...usage.attachments.keys(), ...usage.boundaries.keys()])].filter((arn) => arn.startsWith('arn:aws:iam::aws:policy/')).sort();
    for (const arn of used) {
      const policy = catalog.get(arn);
      if (policy !== undefined) entries.push({ list: 'Policies', build: () => awsPolicyDetail(policy, usage) });
    }
  }
  const page = paginate(entries, p);
  const out: Record<string, unknown[]> = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
  for (const entry of page.page) out[entry.list]?.push(await entry.build());
  return { ...out, ...pageMembers(page) };
}

// The Service Authorization Reference names no resource type for these actions: they are authorized against "*".
const op = operationsOf('iam', () => '*');

export const ACCOUNT_OPERATIONS: readonly OperationDefinition[] = [
  op('CreateAccountAlias', createAccountAlias),
  op('DeleteAccountAlias', deleteAccountAlias),
  op('ListAccountAliases', listAccountAliases),
  op('GetAccountSummary', getAccountSummary),
  op('GetAccountAuthorizationDetails', getAccountAuthorizationDetails),
];
