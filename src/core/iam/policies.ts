import { tagEntity, untagEntity, tagRequestKeys, untagRequestKeys } from './tagging.js';
import type { EntityRecord } from '../../store/store.js';
import { DuplicateKeyError } from '../../store/store.js';
import { createStaticCatalog } from '../../policy/catalog.js';
import { validatePolicy } from '../../policy/validate.js';
import { policyArn } from '../arns.js';
import { accessDenied, deleteConflict, entityAlreadyExists, limitExceeded, malformedPolicyDocument, noSuchEntity } from '../errors.js';
import { newId } from '../ids.js';
import { type AwsManagedPolicy, type OperationContext, type OperationDefinition, type Params, operationsOf } from '../operation.js';
import {
  encodeDocument,
  bool,
  checkTags,
  list,
  pageMembers,
  paginate,
  policySize,
  req,
  str,
  tagsOf,
  type Tag,
} from './common.js';
import { KIND, REL } from './kinds.js';
import { usedAsBoundary } from './boundaries.js';
import { parsePolicyArn, policyResource } from './policy-lookup.js';
import { QUOTAS, checkAccountQuota, quotaExceeded } from './quotas.js';

// Storing a policy only needs IAM's own refusals, which never consult the service catalogue.
const NO_SERVICES = createStaticCatalog({ services: {} });

export const policyNotFound = (arn: string): Error => noSuchEntity(`Policy ${arn} was not found.`);
const versionNotFound = (arn: string, versionId: string): Error =>
  noSuchEntity(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);

export function arnOfPolicy(record: EntityRecord): string {
  return policyArn(record.account, record.path, record.key);
}

const versionKey = (policyName: string, versionId: string): string => `${policyName}:${versionId}`;

/** A managed-policy document as IAM checks it before storing: its size quota, then its grammar. */
export function checkManagedPolicyDocument(document: string): void {
  if (policySize(document) > QUOTAS.PolicySizeQuota) throw quotaExceeded('PolicySize', QUOTAS.PolicySizeQuota);
  const { iamError } = validatePolicy(document, 'identity', NO_SERVICES, { managedPolicy: true });
  if (iamError !== undefined) throw malformedPolicyDocument(iamError.message);
}

/** How often each policy ARN is in use in the account: attached to principals, and set as a permissions boundary. */
export interface PolicyUsage {
  attachments(arn: string): number;
  boundaries(arn: string): number;
}

export async function policyUsage(ctx: OperationContext): Promise<PolicyUsage> {
  const attached = new Map<string, number>();
  for (const link of await ctx.tx.links(REL.attached, ctx.account)) attached.set(link.to, (attached.get(link.to) ?? 0) + 1);
  const boundaries = new Map<string, number>();
  for (const kind of [KIND.user, KIND.role]) {
    for (const record of await ctx.tx.list(kind, ctx.account)) {
      const arn = record.data['permissionsBoundary'];
      if (typeof arn === 'string') boundaries.set(arn, (boundaries.get(arn) ?? 0) + 1);
    }
  }
  return { attachments: (arn) => attached.get(arn) ?? 0, boundaries: (arn) => boundaries.get(arn) ?? 0 };
}

/** The Policy structure; `full` adds what GetPolicy returns beyond ListPolicies (description, tags). */
function customerPolicyView(record: EntityRecord, usage: PolicyUsage, full: boolean): Record<string, unknown> {
  const arn = arnOfPolicy(record);
  const description = record.data['description'] as string | undefined;
  const tags = tagsOf(record);
  return {
    PolicyName: record.key,
    PolicyId: record.id,
    Arn: arn,
    Path: record.path,
    DefaultVersionId: record.data['defaultVersionId'] as string,
    AttachmentCount: usage.attachments(arn),
    PermissionsBoundaryUsageCount: usage.boundaries(arn),
    IsAttachable: true,
    ...(full && description !== undefined ? { Description: description } : {}),
    CreateDate: new Date(record.created),
    UpdateDate: new Date((record.data['updated'] as string | undefined) ?? record.created),
    // GetPolicy answers an empty list for a policy without tags, as AWS does.
    ...(full ? { Tags: tags } : {}),
  };
}

function awsPolicyView(policy: AwsManagedPolicy, usage: PolicyUsage, full: boolean): Record<string, unknown> {
  return {
    PolicyName: policy.name,
    PolicyId: policy.id,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: usage.attachments(policy.arn),
    PermissionsBoundaryUsageCount: usage.boundaries(policy.arn),
    IsAttachable: true,
    ...(full && policy.description !== undefined ? { Description: policy.description } : {}),
    CreateDate: policy.createDate,
    UpdateDate: policy.updateDate,
    ...(full ? { Tags: [] } : {}),
  };
}

type FoundPolicy = { readonly kind: 'customer'; readonly record: EntityRecord } | { readonly kind: 'aws'; readonly policy: AwsManagedPolicy };

/** The policy an ARN names, in the caller's account or among AWS's. */
async function findPolicy(ctx: OperationContext, arn: string): Promise<FoundPolicy> {
  const parsed = parsePolicyArn(arn);
  if (parsed === undefined) throw policyNotFound(arn);
  if (parsed.account === 'aws') {
    const policy = ctx.services.awsManagedPolicies().get(arn);
    if (policy === undefined) throw policyNotFound(arn);
    return { kind: 'aws', policy };
  }
  if (parsed.account !== ctx.account) throw policyNotFound(arn);
  const record = await ctx.tx.get(KIND.policy, ctx.account, parsed.name);
  if (record === undefined || record.path !== parsed.path) throw policyNotFound(arn);
  return { kind: 'customer', record };
}

/**
 * A customer managed policy to change. AWS's own policies belong to another account (`aws`), and IAM has no resource
 * policies to grant access across accounts, so changing one is refused like any unauthorized request.
 */
async function findOwnPolicy(ctx: OperationContext, arn: string, action: string): Promise<EntityRecord> {
  const found = await findPolicy(ctx, arn);
  if (found.kind === 'aws') {
    throw accessDenied(`User: ${ctx.caller.arn} is not authorized to perform: iam:${action} on resource: policy ${arn}`);
  }
  return found.record;
}

async function versionsOf(ctx: OperationContext, record: EntityRecord): Promise<EntityRecord[]> {
  return ctx.tx.list(KIND.policyVersion, ctx.account, { owner: record.key });
}

function versionIdOf(version: EntityRecord, policyName: string): string {
  return version.key.slice(policyName.length + 1);
}

/** Newest first, as IAM lists versions: by the number after `v`. */
function byVersionDescending(a: string, b: string): number {
  return Number(b.slice(1)) - Number(a.slice(1));
}

async function insertVersion(ctx: OperationContext, policy: EntityRecord, versionId: string, document: string): Promise<EntityRecord> {
  const version: EntityRecord = {
    kind: KIND.policyVersion,
    account: ctx.account,
    key: versionKey(policy.key, versionId),
    id: `${policy.id}:${versionId}`,
    path: '/',
    owner: policy.key,
    created: ctx.now.toISOString(),
    data: { document },
  };
  await ctx.tx.insert(version);
  return version;
}

async function createPolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const name = req(p, 'PolicyName');
  const document = req(p, 'PolicyDocument');
  checkManagedPolicyDocument(document);
  const tags = list<Tag>(p, 'Tags');
  checkTags(tags);
  await checkAccountQuota(ctx, KIND.policy, 'PoliciesPerAccount', QUOTAS.Policies);
  const description = str(p, 'Description');
  const record: EntityRecord = {
    kind: KIND.policy,
    account: ctx.account,
    key: name,
    id: newId('ANPA'),
    path: str(p, 'Path') ?? '/',
    owner: '',
    created: ctx.now.toISOString(),
    data: {
      defaultVersionId: 'v1',
      nextVersion: 2,
      tags,
      updated: ctx.now.toISOString(),
      ...(description !== undefined ? { description } : {}),
    },
  };
  try {
    await ctx.tx.insert(record);
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw entityAlreadyExists(`A policy called ${name} already exists. Duplicate names are not allowed.`);
    throw error;
  }
  await insertVersion(ctx, record, 'v1', document);
  const view = customerPolicyView(record, { attachments: () => 0, boundaries: () => 0 }, false);
  return { Policy: { ...view, ...(tags.length > 0 ? { Tags: tags } : {}) } };
}

async function getPolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const found = await findPolicy(ctx, req(p, 'PolicyArn'));
  const usage = await policyUsage(ctx);
  return { Policy: found.kind === 'aws' ? awsPolicyView(found.policy, usage, true) : customerPolicyView(found.record, usage, true) };
}

async function deletePolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const arn = req(p, 'PolicyArn');
  const record = await findOwnPolicy(ctx, arn, 'DeletePolicy');
  const usage = await policyUsage(ctx);
  const canonical = arnOfPolicy(record);
  // A boundary counts by the policy's ID (or, in older data, its ARN in any case): AWS gives the same answer for it.
  if (usage.attachments(canonical) > 0 || (await usedAsBoundary(ctx.tx, record))) throw deleteConflict('Cannot delete a policy attached to entities.');
  const versions = await versionsOf(ctx, record);
  if (versions.length > 1) {
    throw deleteConflict(
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
  }
  for (const version of versions) await ctx.tx.delete(KIND.policyVersion, ctx.account, version.key);
  await ctx.tx.delete(KIND.policy, ctx.account, record.key);
  return {};
}

interface ListedPolicy {
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  view(full: boolean): Record<string, unknown>;
}

async function listPolicies(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const scope = str(p, 'Scope') ?? 'All';
  const onlyAttached = bool(p, 'OnlyAttached') ?? false;
  const usageFilter = str(p, 'PolicyUsageFilter');
  const prefix = str(p, 'PathPrefix');
  const usage = await policyUsage(ctx);
  const candidates: ListedPolicy[] = [];
  if (scope === 'All' || scope === 'AWS') {
    for (const policy of ctx.services.awsManagedPolicies().list()) {
      candidates.push({ name: policy.name, path: policy.path, arn: policy.arn, view: (full) => awsPolicyView(policy, usage, full) });
    }
  }
  if (scope === 'All' || scope === 'Local') {
    for (const record of await ctx.tx.list(KIND.policy, ctx.account)) {
      candidates.push({ name: record.key, path: record.path, arn: arnOfPolicy(record), view: (full) => customerPolicyView(record, usage, full) });
    }
  }
  const inUse = (arn: string): boolean => {
    const attached = usage.attachments(arn) > 0;
    const boundary = usage.boundaries(arn) > 0;
    if (usageFilter === 'PermissionsPolicy') return !onlyAttached || attached;
    if (usageFilter === 'PermissionsBoundary') return boundary;
    // "only the policies that are attached to an IAM user, group, or role": a boundary is not an attachment.
    return !onlyAttached || attached;
  };
  const matching = candidates
    .filter((c) => (prefix === undefined || c.path.startsWith(prefix)) && inUse(c.arn))
    .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || a.arn.localeCompare(b.arn));
  const page = paginate(matching, p);
  return { Policies: page.page.map((c) => c.view(false)), ...pageMembers(page) };
}

async function createPolicyVersion(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await findOwnPolicy(ctx, req(p, 'PolicyArn'), 'CreatePolicyVersion');
  const document = req(p, 'PolicyDocument');
  if ((await versionsOf(ctx, record)).length >= QUOTAS.VersionsPerPolicyQuota) {
    throw limitExceeded(
      `A managed policy can have up to ${QUOTAS.VersionsPerPolicyQuota} versions. Before you create a new version, you must delete an existing version.`,
    );
  }
  checkManagedPolicyDocument(document);
  const next = (record.data['nextVersion'] as number | undefined) ?? 2;
  const versionId = `v${next}`;
  const version = await insertVersion(ctx, record, versionId, document);
  const setAsDefault = bool(p, 'SetAsDefault') ?? false;
  await ctx.tx.update({
    ...record,
    data: {
      ...record.data,
      nextVersion: next + 1,
      updated: ctx.now.toISOString(),
      ...(setAsDefault ? { defaultVersionId: versionId } : {}),
    },
  });
  return { PolicyVersion: { VersionId: versionId, IsDefaultVersion: setAsDefault, CreateDate: new Date(version.created) } };
}

async function getPolicyVersion(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const arn = req(p, 'PolicyArn');
  const versionId = req(p, 'VersionId');
  const found = await findPolicy(ctx, arn);
  if (found.kind === 'aws') {
    const version = found.policy.versions.find((v) => v.versionId === versionId);
    if (version === undefined) throw versionNotFound(arn, versionId);
    return {
      PolicyVersion: {
        Document: encodeDocument(version.document),
        VersionId: version.versionId,
        IsDefaultVersion: version.versionId === found.policy.defaultVersionId,
        CreateDate: version.createDate,
      },
    };
  }
  const version = await ctx.tx.get(KIND.policyVersion, ctx.account, versionKey(found.record.key, versionId));
  if (version === undefined) throw versionNotFound(arn, versionId);
  return {
    PolicyVersion: {
      Document: encodeDocument(version.data['document'] as string),
      VersionId: versionId,
      IsDefaultVersion: versionId === found.record.data['defaultVersionId'],
      CreateDate: new Date(version.created),
    },
  };
}

async function deletePolicyVersion(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const arn = req(p, 'PolicyArn');
  const versionId = req(p, 'VersionId');
  const record = await findOwnPolicy(ctx, arn, 'DeletePolicyVersion');
  if ((await ctx.tx.get(KIND.policyVersion, ctx.account, versionKey(record.key, versionId))) === undefined) {
    throw versionNotFound(arn, versionId);
  }
  if (versionId === record.data['defaultVersionId']) throw deleteConflict('Cannot delete the default version of a policy.');
  await ctx.tx.delete(KIND.policyVersion, ctx.account, versionKey(record.key, versionId));
  return {};
}

async function listPolicyVersions(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const found = await findPolicy(ctx, req(p, 'PolicyArn'));
  let versions: { VersionId: string; IsDefaultVersion: boolean; CreateDate: Date }[];
  if (found.kind === 'aws') {
    versions = found.policy.versions.map((v) => ({
      VersionId: v.versionId,
      IsDefaultVersion: v.versionId === found.policy.defaultVersionId,
      CreateDate: v.createDate,
    }));
  } else {
    const defaultVersion = found.record.data['defaultVersionId'];
    versions = (await versionsOf(ctx, found.record)).map((v) => {
      const versionId = versionIdOf(v, found.record.key);
      return { VersionId: versionId, IsDefaultVersion: versionId === defaultVersion, CreateDate: new Date(v.created) };
    });
  }
  versions.sort((a, b) => byVersionDescending(a.VersionId, b.VersionId));
  const page = paginate(versions, p);
  return { Versions: page.page, ...pageMembers(page) };
}

async function setDefaultPolicyVersion(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const arn = req(p, 'PolicyArn');
  const versionId = req(p, 'VersionId');
  const record = await findOwnPolicy(ctx, arn, 'SetDefaultPolicyVersion');
  if ((await ctx.tx.get(KIND.policyVersion, ctx.account, versionKey(record.key, versionId))) === undefined) {
    throw versionNotFound(arn, versionId);
  }
  await ctx.tx.update({ ...record, data: { ...record.data, defaultVersionId: versionId } });
  return {};
}

async function tagPolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return tagEntity(ctx, await findOwnPolicy(ctx, req(p, 'PolicyArn'), 'TagPolicy'), p);
}

async function untagPolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return untagEntity(ctx, await findOwnPolicy(ctx, req(p, 'PolicyArn'), 'UntagPolicy'), p);
}

async function listPolicyTags(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const found = await findPolicy(ctx, req(p, 'PolicyArn'));
  const page = paginate(found.kind === 'aws' ? [] : tagsOf(found.record), p);
  return { Tags: page.page, ...pageMembers(page) };
}

const byPolicyArn = (ctx: OperationContext, p: Params): Promise<string> => policyResource(ctx, req(p, 'PolicyArn'));

const op = operationsOf('iam', byPolicyArn);

export const POLICY_OPERATIONS: readonly OperationDefinition[] = [
  op('CreatePolicy', createPolicy, {
    resource: (ctx, p) => policyArn(ctx.account, str(p, 'Path') ?? '/', req(p, 'PolicyName')),
    conditionKeys: tagRequestKeys,
  }),
  op('GetPolicy', getPolicy),
  op('DeletePolicy', deletePolicy),
  op('ListPolicies', listPolicies, { resource: (ctx) => policyArn(ctx.account, '/', '') }),
  op('CreatePolicyVersion', createPolicyVersion),
  op('GetPolicyVersion', getPolicyVersion),
  op('DeletePolicyVersion', deletePolicyVersion),
  op('ListPolicyVersions', listPolicyVersions),
  op('SetDefaultPolicyVersion', setDefaultPolicyVersion),
  op('TagPolicy', tagPolicy, { conditionKeys: tagRequestKeys }),
  op('UntagPolicy', untagPolicy, { conditionKeys: untagRequestKeys }),
  op('ListPolicyTags', listPolicyTags),
];
