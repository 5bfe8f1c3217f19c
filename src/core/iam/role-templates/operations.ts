// GetRoleTemplateVersion and AcquireRole.
//
// Authorization follows the Service Authorization Reference's API operation table: AcquireRole has no action of its
// own; it is authorized as iam:GetRoleTemplateVersion on the template, then as each IAM action it performs on the
// role (iam:GetRole when a role that matches the template exists already; otherwise iam:CreateRole, and
// iam:PutRolePermissionsBoundary, iam:PutRolePolicy, iam:AttachRolePolicy and iam:TagRole for what the template
// defines). The IAM User Guide's "Manage access to role manager" says the same: AcquireRole "evaluates each underlying
// IAM action against the user's permissions". So a template cannot hand anyone a role with permissions they could not
// have created by hand: every action that grants permissions is checked, with the values the template gives
// (iam:PolicyARN, iam:PermissionsBoundary, aws:RequestTag/…). Each of these checks carries iam:RoleTemplateARN, the
// key the Reference lists for those actions and the User Guide's SCP examples deny on (including its
// iam:GetRoleTemplateVersion). iam:PassRole is not asked: AcquireRole hands the role to no service, and the Reference
// does not list it for AcquireRole; whoever later passes the role to a service needs it then.
import type { EntityRecord } from '../../../store/store.js';
import { roleArn } from '../../arns.js';
import { invalidInput, noSuchEntity, ServiceError } from '../../errors.js';
import type { AlsoRequired, OperationContext, OperationDefinition, Params } from '../../operation.js';
import { attachManagedPolicy } from '../attachments.js';
import { num, req, requestTagKeys, tagsOf } from '../common.js';
import { putInlinePolicy } from '../inline-policies.js';
import { attachmentKey, inlineOwner, KIND, REL } from '../kinds.js';
import { policyResource } from '../policy-lookup.js';
import { arnOfRole, createdRoleView, createRoleRecord, SOURCE_ROLE_TEMPLATE_FIELD, sourceRoleTemplateOf, type SourceRoleTemplateData } from '../roles.js';
import { EMPTY_ROLE_TEMPLATE_CATALOGUE, parseRoleTemplateArn, type RoleTemplate, type RoleTemplateCatalogue, type RoleTemplateVersion } from './catalogue.js';
import { renderRole, type RenderedRole } from './render-role.js';
import { replacementEntries, resolveParameters, type ParameterValues } from './render.js';

const noSuchTemplate = (arn: string): ServiceError => noSuchEntity(`The role template with ARN ${arn} cannot be found.`);
const noSuchMinorVersion = (arn: string, minor: number): ServiceError => noSuchEntity(`The role template with ARN ${arn} has no minor version ${minor}.`);
const templateDisabled = (message: string): ServiceError => new ServiceError('RoleTemplateDisabled', message, 400);
const nameConflict = (name: string): ServiceError => new ServiceError('NameConflict', `The role name ${name} conflicts with an existing role in the account.`, 409);
const roleModified = (name: string, arn: string): ServiceError =>
  new ServiceError('RoleModified', `The role ${name} was changed since the role template ${arn} created it.`, 409);

export function roleTemplatesOf(ctx: OperationContext): RoleTemplateCatalogue {
  return ctx.services.roleTemplates?.() ?? EMPTY_ROLE_TEMPLATE_CATALOGUE;
}

/**
 * The template ARN a request names, as the resource it is authorized on. Text that is no role template ARN is refused
 * before any decision: no other kind of resource is ever decided on for these actions.
 */
function templateResource(_ctx: OperationContext, p: Params): string {
  const arn = req(p, 'TemplateArn');
  if (parseRoleTemplateArn(arn) === undefined) throw invalidInput(`ARN ${arn} is not valid.`);
  return arn;
}

/** The template (its ARN compared exactly) and the minor version asked for, or the template's default one. */
function findVersion(ctx: OperationContext, arn: string, minor: number | undefined): { template: RoleTemplate; version: RoleTemplateVersion } {
  const template = roleTemplatesOf(ctx).get(arn);
  if (template === undefined) throw noSuchTemplate(arn);
  const wanted = minor ?? template.defaultMinorVersion;
  const version = template.versions.get(wanted);
  if (version === undefined) throw noSuchMinorVersion(arn, wanted);
  return { template, version };
}

/** The RoleTemplateVersion structure; lists and members the template leaves empty are left out. */
export function roleTemplateVersionView(template: RoleTemplate, version: RoleTemplateVersion): Record<string, unknown> {
  return {
    TemplateArn: template.arn,
    TemplateName: template.name,
    ...(version.templateVersionId !== undefined ? { TemplateVersionId: version.templateVersionId } : {}),
    ...(template.description !== undefined ? { Description: template.description } : {}),
    MajorVersion: template.majorVersion,
    DefaultMinorVersion: template.defaultMinorVersion,
    ManagedByType: 'Service',
    ManagedByValue: template.servicePrincipal,
    Enabled: template.enabled,
    MinorVersion: version.minorVersion,
    RoleNamePattern: version.roleNamePattern,
    RolePathPattern: version.rolePathPattern,
    ...(version.roleDescriptionPattern !== undefined ? { RoleDescriptionPattern: version.roleDescriptionPattern } : {}),
    AssumeRolePolicyDocumentTemplate: version.trustPolicy.text,
    ...(version.inlinePolicies.length > 0
      ? { InlinePolicyTemplates: version.inlinePolicies.map((i) => ({ PolicyName: i.name, PolicyDocument: i.policy.text })) }
      : {}),
    ...(version.managedPolicyArns.length > 0 ? { ManagedPolicyArns: [...version.managedPolicyArns] } : {}),
    ...(version.permissionsBoundaryArn !== undefined ? { PermissionBoundaryArn: version.permissionsBoundaryArn } : {}),
    ...(version.parameters.length > 0 ? { ParametersDefinition: version.parameters.map((p) => ({ ...p })) } : {}),
    ...(version.tags.length > 0 ? { RoleTagsTemplate: version.tags.map((t) => ({ Key: t.Key, Value: t.Value })) } : {}),
    ...(version.maxSessionDuration !== undefined ? { MaxSessionDuration: version.maxSessionDuration } : {}),
    VersionEnabled: version.versionEnabled,
    ...(version.createTimestamp !== undefined ? { CreateTimestamp: version.createTimestamp } : {}),
    ...(version.updateTimestamp !== undefined ? { UpdateTimestamp: version.updateTimestamp } : {}),
  };
}

async function getRoleTemplateVersion(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const { template, version } = findVersion(ctx, req(p, 'TemplateArn'), num(p, 'MinorVersion'));
  return { RoleTemplateVersion: roleTemplateVersionView(template, version) };
}

// --- AcquireRole ---------------------------------------------------------------------------------------------------

/**
 * What AcquireRole will do: create the role; return the existing role that matches the template; or refuse, because a
 * role of that name exists that the template did not make this way (NameConflict), or that it made but that was
 * changed since (RoleModified).
 */
type Outcome = 'create' | 'existing' | 'conflict' | 'modified';

interface Plan {
  readonly template: RoleTemplate;
  readonly version: RoleTemplateVersion;
  readonly parameters: ParameterValues;
  readonly role: RenderedRole;
  readonly existing?: EntityRecord;
  readonly outcome: Outcome;
  /** The template's managed policies and boundary as stored (as named when none is stored), for keys and comparison. */
  readonly managedPolicyArns: readonly string[];
  readonly permissionsBoundary?: string;
}

/** What makes a role the role a template describes: everything that decides who may assume it and what it may do. */
function fingerprint(c: {
  path: string;
  trust: string;
  inline: ReadonlyArray<readonly [string, string]>;
  managed: readonly string[];
  boundary: string | undefined;
  tags: ReadonlyArray<{ Key: string; Value: string }>;
}): string {
  return JSON.stringify([
    c.path,
    c.trust,
    [...c.inline].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    [...c.managed].sort(),
    c.boundary ?? null,
    c.tags.map((t) => [t.Key, t.Value]).sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)),
  ]);
}

async function existingFingerprint(ctx: OperationContext, record: EntityRecord): Promise<string> {
  const owner = inlineOwner('role', record.key);
  const inline = (await ctx.tx.list(KIND.inlinePolicy, ctx.account, { owner })).map((i) => [i.key.slice(owner.length + 1), i.data['document'] as string] as const);
  const managed = (await ctx.tx.links(REL.attached, ctx.account, { from: attachmentKey('role', record.key) })).map((l) => l.to);
  return fingerprint({
    path: record.path,
    trust: record.data['assumeRolePolicyDocument'] as string,
    inline,
    managed,
    boundary: record.data['permissionsBoundary'] as string | undefined,
    tags: tagsOf(record),
  });
}

async function renderedFingerprint(ctx: OperationContext, role: RenderedRole): Promise<string> {
  const managed: string[] = [];
  for (const arn of role.managedPolicyArns) managed.push(await policyResource(ctx, arn));
  return fingerprint({
    path: role.path,
    trust: role.assumeRolePolicyDocument,
    inline: role.inlinePolicies.map((i) => [i.name, i.document] as const),
    managed,
    boundary: role.permissionsBoundary === undefined ? undefined : await policyResource(ctx, role.permissionsBoundary),
    tags: role.tags,
  });
}

/** The role the template made, rendered again from the version and values it was made with, when both still exist. */
async function originalFingerprint(ctx: OperationContext, template: RoleTemplate, source: SourceRoleTemplateData): Promise<string | undefined> {
  const version = template.versions.get(source.templateMinorVersion);
  if (version === undefined) return undefined;
  try {
    const values = resolveParameters(version, new Map(source.parameters.map((p) => [p.name, p.values])), template.arn);
    return await renderedFingerprint(ctx, renderRole(template, version, values));
  } catch {
    return undefined;
  }
}

async function decide(ctx: OperationContext, template: RoleTemplate, role: RenderedRole, existing: EntityRecord | undefined): Promise<Outcome> {
  if (existing === undefined) return 'create';
  const source = sourceRoleTemplateOf(existing);
  if (source === undefined || source.templateArn !== template.arn) return 'conflict';
  const current = await existingFingerprint(ctx, existing);
  // Names are unique without regard to case: another case is another name, so a conflict.
  if (existing.key === role.name && current === (await renderedFingerprint(ctx, role))) return 'existing';
  const original = await originalFingerprint(ctx, template, source);
  return original !== undefined && original !== current ? 'modified' : 'conflict';
}

async function makePlan(ctx: OperationContext, p: Params): Promise<Plan> {
  const arn = req(p, 'TemplateArn');
  const { template, version } = findVersion(ctx, arn, num(p, 'TemplateMinorVersion'));
  if (!template.enabled) throw templateDisabled(`The role template ${arn} is disabled.`);
  if (!version.versionEnabled) throw templateDisabled(`Minor version ${version.minorVersion} of the role template ${arn} is disabled.`);
  const parameters = resolveParameters(version, replacementEntries(p['ReplacementValues']), arn);
  const role = renderRole(template, version, parameters);
  const existing = await ctx.tx.get(KIND.role, ctx.account, role.name);
  const managedPolicyArns: string[] = [];
  for (const policy of role.managedPolicyArns) managedPolicyArns.push(await policyResource(ctx, policy));
  const permissionsBoundary = role.permissionsBoundary === undefined ? undefined : await policyResource(ctx, role.permissionsBoundary);
  return {
    template,
    version,
    parameters,
    role,
    ...(existing !== undefined ? { existing } : {}),
    outcome: await decide(ctx, template, role, existing),
    managedPolicyArns,
    ...(permissionsBoundary !== undefined ? { permissionsBoundary } : {}),
  };
}

// The gateway asks alsoRequires() and then run() with the same context: the plan is made once, in that transaction.
const plans = new WeakMap<OperationContext, Promise<Plan>>();

function planOf(ctx: OperationContext, p: Params): Promise<Plan> {
  let plan = plans.get(ctx);
  if (plan === undefined) plans.set(ctx, (plan = makePlan(ctx, p)));
  return plan;
}

async function acquireRoleRequires(ctx: OperationContext, p: Params): Promise<AlsoRequired[]> {
  const plan = await planOf(ctx, p);
  const template = { 'iam:RoleTemplateARN': plan.template.arn };
  // Telling the caller that the role exists, or returning it, is reading it.
  if (plan.existing !== undefined) return [{ action: 'iam:GetRole', resource: arnOfRole(plan.existing), conditionKeys: template }];
  const { role } = plan;
  const resource = roleArn(ctx.account, role.path, role.name);
  const boundary: Record<string, string> = plan.permissionsBoundary !== undefined ? { 'iam:PermissionsBoundary': plan.permissionsBoundary } : {};
  const required: AlsoRequired[] = [{ action: 'iam:CreateRole', resource, conditionKeys: { ...requestTagKeys(role.tags), ...boundary, ...template } }];
  if (plan.permissionsBoundary !== undefined) required.push({ action: 'iam:PutRolePermissionsBoundary', resource, conditionKeys: { ...boundary, ...template } });
  if (role.inlinePolicies.length > 0) required.push({ action: 'iam:PutRolePolicy', resource, conditionKeys: { ...boundary, ...template } });
  for (const policy of plan.managedPolicyArns) {
    required.push({ action: 'iam:AttachRolePolicy', resource, conditionKeys: { 'iam:PolicyARN': policy, ...boundary, ...template } });
  }
  if (role.tags.length > 0) required.push({ action: 'iam:TagRole', resource, conditionKeys: { ...requestTagKeys(role.tags), ...template } });
  return required;
}

async function acquireRole(ctx: OperationContext, p: Params): Promise<Record<string, unknown>> {
  const plan = await planOf(ctx, p);
  const { role, template, version } = plan;
  if (plan.outcome === 'conflict') throw nameConflict(role.name);
  if (plan.outcome === 'modified') throw roleModified(role.name, template.arn);
  if (plan.outcome === 'existing' && plan.existing !== undefined) return { Role: await createdRoleView(ctx, plan.existing) };
  const source: SourceRoleTemplateData = {
    templateArn: template.arn,
    templateMinorVersion: version.minorVersion,
    // Parameters left without a value are not kept: given again as none, a scalar one would be refused.
    parameters: [...plan.parameters.values].filter(([, values]) => values.length > 0).map(([name, values]) => ({ name, values: [...values] })),
  };
  // One transaction: a policy that fails its checks leaves no role behind.
  const record = await createRoleRecord(ctx, {
    name: role.name,
    path: role.path,
    assumeRolePolicyDocument: role.assumeRolePolicyDocument,
    tags: role.tags,
    ...(role.description !== undefined ? { description: role.description } : {}),
    ...(role.maxSessionDuration !== undefined ? { maxSessionDuration: role.maxSessionDuration } : {}),
    ...(role.permissionsBoundary !== undefined ? { permissionsBoundary: role.permissionsBoundary } : {}),
    data: { [SOURCE_ROLE_TEMPLATE_FIELD]: source },
  });
  for (const inline of role.inlinePolicies) await putInlinePolicy(ctx, 'role', record, inline.name, inline.document);
  for (const policy of role.managedPolicyArns) await attachManagedPolicy(ctx, 'role', record, policy);
  return { Role: await createdRoleView(ctx, record) };
}

export const ROLE_TEMPLATE_OPERATIONS: readonly OperationDefinition[] = [
  { service: 'iam', name: 'GetRoleTemplateVersion', resource: templateResource, run: getRoleTemplateVersion },
  {
    service: 'iam',
    name: 'AcquireRole',
    action: 'iam:GetRoleTemplateVersion',
    resource: templateResource,
    conditionKeys: (_ctx, p) => ({ 'iam:RoleTemplateARN': req(p, 'TemplateArn') }),
    alsoRequires: acquireRoleRequires,
    run: acquireRole,
  },
];
