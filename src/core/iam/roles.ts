import { boundaryData, boundaryRequestKeys, clearBoundary, createRequestKeys, setBoundary } from './boundaries.js';
import { tagEntity, untagEntity, listEntityTags, tagRequestKeys, untagRequestKeys } from './tagging.js';
import type { EntityRecord, StoreTx } from '../../store/store.js';
import { DuplicateKeyError } from '../../store/store.js';
import { createStaticCatalog } from '../../policy/catalog.js';
import { validatePolicy } from '../../policy/validate.js';
import { roleArn } from '../arns.js';
import { deleteConflict, entityAlreadyExists, invalidInput, malformedPolicyDocument, noSuchEntity, unmodifiableEntity, validationError } from '../errors.js';
import { newId } from '../ids.js';
import { type OperationContext, type OperationDefinition, type Params, operationsOf } from '../operation.js';
import {
  encodeDocument,
  checkTags,
  list,
  listPage,
  mustGet,
  num,
  pageMembers,
  policySize,
  req,
  str,
  tagsOf,
  type Tag,
} from './common.js';
import { attachmentKey, inlineOwner, KIND, REL } from './kinds.js';
import { roleLastUsed, withRoleUse } from './last-used.js';
import { resolvePolicyMember } from './policy-lookup.js';
import { noteResource } from '../request-context.js';
import { QUOTAS, checkAccountQuota, quotaExceeded } from './quotas.js';
import { bindTrustPrincipals, TRUST_BINDINGS_FIELD, withCurrentTrust } from './trust-principals.js';
import { forgetPrincipalAccess } from './access-advisor/records.js';

export const DEFAULT_MAX_SESSION_DURATION = 3600;
const MIN_SESSION_DURATION = 3600;
const MAX_SESSION_DURATION = 43200;

/** Only CreateServiceLinkedRole may place a role under this path. */
export const SERVICE_ROLE_PATH_PREFIX = '/aws-service-role/';
export const RESERVED_ROLE_PATH_PREFIX = '/aws-reserved/';

// Storing a policy only needs IAM's own refusals, which never consult the service catalogue.
const NO_SERVICES = createStaticCatalog({ services: {} });

export const noSuchRole = (name: string): Error => noSuchEntity(`The role with name ${name} cannot be found.`);

export function arnOfRole(record: EntityRecord): string {
  return roleArn(record.account, record.path, record.key);
}

export function isServiceLinked(record: EntityRecord): boolean {
  return record.data['serviceLinked'] === true;
}

/** Service-linked roles belong to their service: IAM refuses changes made through its own API. */
export function assertModifiable(record: EntityRecord): void {
  if (isServiceLinked(record)) {
    throw unmodifiableEntity(`Cannot perform the operation on the protected role '${record.key}' - this role is only modifiable by AWS`);
  }
}

/** What a role made by AcquireRole keeps of its template: which one, and the parameter values it was made with. */
export interface SourceRoleTemplateData {
  readonly templateArn: string;
  readonly templateMinorVersion: number;
  readonly parameters: ReadonlyArray<{ readonly name: string; readonly values: readonly string[] }>;
}

export const SOURCE_ROLE_TEMPLATE_FIELD = 'sourceRoleTemplate';

export function sourceRoleTemplateOf(record: EntityRecord): SourceRoleTemplateData | undefined {
  return record.data[SOURCE_ROLE_TEMPLATE_FIELD] as SourceRoleTemplateData | undefined;
}

/**
 * The Role structure. IAM returns policy documents URL-encoded. ListRoles leaves out the boundary, tags, last use and
 * source template (`full` false); GetRole and the create/update results include them.
 */
export function roleView(record: EntityRecord, full: boolean): Record<string, unknown> {
  const boundary = record.data['permissionsBoundary'] as string | undefined;
  const description = record.data['description'] as string | undefined;
  const lastUsed = roleLastUsed(record);
  const tags = tagsOf(record);
  const source = sourceRoleTemplateOf(record);
  return {
    Path: record.path,
    RoleName: record.key,
    RoleId: record.id,
    Arn: arnOfRole(record),
    CreateDate: new Date(record.created),
    AssumeRolePolicyDocument: encodeDocument(record.data['assumeRolePolicyDocument'] as string),
    ...(description !== undefined ? { Description: description } : {}),
    MaxSessionDuration: (record.data['maxSessionDuration'] as number | undefined) ?? DEFAULT_MAX_SESSION_DURATION,
    ...(full && boundary !== undefined
      ? { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: boundary } }
      : {}),
    ...(full && tags.length > 0 ? { Tags: tags } : {}),
    ...(full && source !== undefined ? { SourceRoleTemplate: { TemplateArn: source.templateArn, TemplateMinorVersion: source.templateMinorVersion } } : {}),
    ...(full
      ? {
          RoleLastUsed: {
            ...(lastUsed?.date !== undefined ? { LastUsedDate: lastUsed.date } : {}),
            ...(lastUsed?.region !== undefined ? { Region: lastUsed.region } : {}),
          },
        }
      : {}),
  };
}

/**
 * Records a use of a role's session (GetRole's RoleLastUsed), unless the role is gone or was recreated since the
 * session was issued (another ID), or a later use is recorded already.
 */
export async function recordRoleUse(tx: StoreTx, role: { account: string; name: string; id: string }, date: Date, region: string): Promise<void> {
  const record = await tx.get(KIND.role, role.account, role.name);
  if (record === undefined || record.id !== role.id) return;
  const data = withRoleUse(record, date, region);
  if (data !== undefined) await tx.update({ ...record, data });
}

export function getRole(ctx: OperationContext, name: string): Promise<EntityRecord> {
  return mustGet(ctx.tx, KIND.role, ctx.account, name, () => noSuchRole(name));
}

/** The ARN a role action is authorized against: the role's own, with its path when it exists. */
export async function roleResource(ctx: OperationContext, name: string): Promise<string> {
  const record = await ctx.tx.get(KIND.role, ctx.account, name);
  if (record === undefined) return roleArn(ctx.account, '/', name);
  const arn = arnOfRole(record);
  noteResource(ctx, arn, record);
  return arn;
}

const byRoleName = (ctx: OperationContext, p: Params): Promise<string> => roleResource(ctx, req(p, 'RoleName'));

/** The range check the API model declares, in the wording of AWS's request validation. */
export function checkMaxSessionDuration(value: number | undefined): void {
  if (value === undefined) return;
  if (value < MIN_SESSION_DURATION) {
    throw validationError(`1 validation error detected: Value '${value}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to ${MIN_SESSION_DURATION}`);
  }
  if (value > MAX_SESSION_DURATION) {
    throw validationError(`1 validation error detected: Value '${value}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to ${MAX_SESSION_DURATION}`);
  }
}

/** A trust policy as IAM checks it before storing: its size quota, then its grammar. */
export function checkTrustPolicy(document: string): void {
  if (policySize(document) > QUOTAS.AssumeRolePolicySizeQuota) {
    throw quotaExceeded('ACLSizePerRole', QUOTAS.AssumeRolePolicySizeQuota);
  }
  const { iamError } = validatePolicy(document, 'trust', NO_SERVICES);
  if (iamError !== undefined) throw malformedPolicyDocument(iamError.message);
}

/** A new role as CreateRole's request describes it; AcquireRole renders the same from a template. */
export interface NewRole {
  readonly name: string;
  readonly path: string;
  readonly assumeRolePolicyDocument: string;
  readonly description?: string;
  readonly maxSessionDuration?: number;
  readonly tags: readonly Tag[];
  readonly permissionsBoundary?: string;
  /** Further fields the role keeps (the role template it came from). */
  readonly data?: Readonly<Record<string, unknown>>;
}

/**
 * Checks and stores a new role, in CreateRole's order: the reserved path, the session duration, the trust policy
 * (size, grammar, principals), the tags, the boundary (it must exist), the account's role quota, then the name.
 */
export async function createRoleRecord(ctx: OperationContext, role: NewRole): Promise<EntityRecord> {
  if (role.path.startsWith(SERVICE_ROLE_PATH_PREFIX)) {
    throw invalidInput(`Path prefix '${SERVICE_ROLE_PATH_PREFIX}' can only be used for AWS Service linked Roles`);
  }
  // AWS reserves /aws-reserved/ for the roles IAM Identity Center makes (AWSReservedSSO_…), and no policy may change
  // a role there (reserved-resources.ts), so a customer's role there could never be deleted again. AWS documents no
  // answer to CreateRole with this path and none was found recorded: this refuses it like /aws-service-role/, in the
  // same form, with our own wording.
  if (role.path.startsWith(RESERVED_ROLE_PATH_PREFIX)) {
    throw invalidInput(`Path prefix '${RESERVED_ROLE_PATH_PREFIX}' can only be used for AWS reserved Roles`);
  }
  checkMaxSessionDuration(role.maxSessionDuration);
  checkTrustPolicy(role.assumeRolePolicyDocument);
  const principals = await bindTrustPrincipals(ctx, role.assumeRolePolicyDocument);
  checkTags(role.tags);
  const boundaryFields = role.permissionsBoundary !== undefined ? await boundaryData(ctx, role.permissionsBoundary) : {};
  await checkAccountQuota(ctx, KIND.role, 'RolesPerAccount', QUOTAS.Roles);
  const record: EntityRecord = {
    kind: KIND.role,
    account: ctx.account,
    key: role.name,
    id: newId('AROA'),
    path: role.path,
    owner: '',
    created: ctx.now.toISOString(),
    data: {
      ...role.data,
      assumeRolePolicyDocument: role.assumeRolePolicyDocument,
      [TRUST_BINDINGS_FIELD]: principals,
      maxSessionDuration: role.maxSessionDuration ?? DEFAULT_MAX_SESSION_DURATION,
      tags: role.tags.map((t) => ({ Key: t.Key, Value: t.Value })),
      ...(role.description !== undefined ? { description: role.description } : {}),
      ...boundaryFields,
    },
  };
  await insertRole(ctx, record, () => entityAlreadyExists(`Role with name ${role.name} already exists.`));
  return record;
}

/** The Role structure of a role just made: AWS's CreateRole answers neither the session duration nor a last use. */
export async function createdRoleView(ctx: OperationContext, record: EntityRecord): Promise<Record<string, unknown>> {
  const { MaxSessionDuration: _duration, RoleLastUsed: _lastUsed, ...created } = roleView(await withCurrentTrust(ctx.tx, record), true);
  return created;
}

async function createRole(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const description = str(p, 'Description');
  const maxSessionDuration = num(p, 'MaxSessionDuration');
  const boundary = str(p, 'PermissionsBoundary');
  const record = await createRoleRecord(ctx, {
    name: req(p, 'RoleName'),
    path: str(p, 'Path') ?? '/',
    assumeRolePolicyDocument: req(p, 'AssumeRolePolicyDocument'),
    tags: list<Tag>(p, 'Tags'),
    ...(description !== undefined ? { description } : {}),
    ...(maxSessionDuration !== undefined ? { maxSessionDuration } : {}),
    ...(boundary !== undefined ? { permissionsBoundary: boundary } : {}),
  });
  return { Role: await createdRoleView(ctx, record) };
}

/** Inserts a role, answering `onDuplicate` when the name is taken (compared without case, as IAM does). */
export async function insertRole(ctx: OperationContext, record: EntityRecord, onDuplicate: () => Error): Promise<void> {
  try {
    await ctx.tx.insert(record);
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw onDuplicate();
    throw error;
  }
}

async function getRoleOp(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return { Role: roleView(await withCurrentTrust(ctx.tx, await getRole(ctx, req(p, 'RoleName'))), true) };
}

async function updateRole(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getRole(ctx, req(p, 'RoleName'));
  const description = str(p, 'Description');
  const maxSessionDuration = num(p, 'MaxSessionDuration');
  // A service-linked role's description is the one thing its owner may still edit.
  if (maxSessionDuration !== undefined) assertModifiable(record);
  checkMaxSessionDuration(maxSessionDuration);
  await ctx.tx.update({
    ...record,
    data: {
      ...record.data,
      ...(description !== undefined ? { description } : {}),
      ...(maxSessionDuration !== undefined ? { maxSessionDuration } : {}),
    },
  });
  return {};
}

async function updateRoleDescription(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getRole(ctx, req(p, 'RoleName'));
  const updated: EntityRecord = { ...record, data: { ...record.data, description: req(p, 'Description') } };
  await ctx.tx.update(updated);
  return { Role: roleView(await withCurrentTrust(ctx.tx, updated), true) };
}

async function updateAssumeRolePolicy(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getRole(ctx, req(p, 'RoleName'));
  assertModifiable(record);
  const document = req(p, 'PolicyDocument');
  checkTrustPolicy(document);
  const principals = await bindTrustPrincipals(ctx, document);
  await ctx.tx.update({ ...record, data: { ...record.data, assumeRolePolicyDocument: document, [TRUST_BINDINGS_FIELD]: principals } });
  return {};
}

async function deleteRole(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getRole(ctx, req(p, 'RoleName'));
  assertModifiable(record);
  await assertRoleDeletable(ctx, record);
  await ctx.tx.delete(KIND.role, ctx.account, record.key);
  await forgetPrincipalAccess(ctx.tx, ctx.account, record.id);
  return {};
}

/** What DeleteRole requires first, in the order IAM reports it. */
async function assertRoleDeletable(ctx: OperationContext, record: EntityRecord): Promise<void> {
  const { tx, account } = ctx;
  if ((await tx.countLinks(REL.profileRole, account, { to: record.key })) > 0) {
    throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
  }
  if ((await tx.count(KIND.inlinePolicy, account, { owner: inlineOwner('role', record.key) })) > 0) {
    throw deleteConflict('Cannot delete entity, must delete policies first.');
  }
  if ((await tx.countLinks(REL.attached, account, { from: attachmentKey('role', record.key) })) > 0) {
    throw deleteConflict('Cannot delete entity, must detach all policies first.');
  }
}

async function listRoles(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  // The page alone is read: an account may hold a thousand roles.
  const page = await listPage(ctx.tx, KIND.role, ctx.account, p);
  const views: Record<string, unknown>[] = [];
  for (const record of page.page) views.push(roleView(await withCurrentTrust(ctx.tx, record), false));
  return { Roles: views, ...pageMembers(page) };
}

async function tagRole(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return tagEntity(ctx, await getRole(ctx, req(p, 'RoleName')), p);
}

async function untagRole(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return untagEntity(ctx, await getRole(ctx, req(p, 'RoleName')), p);
}

async function listRoleTags(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  return listEntityTags(await getRole(ctx, req(p, 'RoleName')), p);
}

async function putBoundary(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getRole(ctx, req(p, 'RoleName'));
  assertModifiable(record);
  return setBoundary(ctx, record, p);
}

async function deleteBoundary(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const record = await getRole(ctx, req(p, 'RoleName'));
  assertModifiable(record);
  return clearBoundary(ctx, record);
}

const op = operationsOf('iam', byRoleName);

export const ROLE_OPERATIONS: readonly OperationDefinition[] = [
  op('CreateRole', createRole, {
    resource: async (ctx, p) => {
      await resolvePolicyMember(ctx, p, 'PermissionsBoundary');
      return roleArn(ctx.account, str(p, 'Path') ?? '/', req(p, 'RoleName'));
    },
    conditionKeys: createRequestKeys,
  }),
  op('GetRole', getRoleOp),
  op('UpdateRole', updateRole),
  op('UpdateRoleDescription', updateRoleDescription),
  op('UpdateAssumeRolePolicy', updateAssumeRolePolicy),
  op('DeleteRole', deleteRole),
  op('ListRoles', listRoles, { resource: (ctx) => roleArn(ctx.account, '/', '') }),
  op('TagRole', tagRole, { conditionKeys: tagRequestKeys }),
  op('UntagRole', untagRole, { conditionKeys: untagRequestKeys }),
  op('ListRoleTags', listRoleTags),
  op('PutRolePermissionsBoundary', putBoundary, {
    resource: async (ctx, p) => {
      await resolvePolicyMember(ctx, p, 'PermissionsBoundary');
      return byRoleName(ctx, p);
    },
    conditionKeys: boundaryRequestKeys,
  }),
  op('DeleteRolePermissionsBoundary', deleteBoundary),
];
