// The role templates this server knows (GetRoleTemplateVersion, AcquireRole).
//
// AWS publishes its templates' ARNs and parameter names (IAM User Guide, "Overview of role templates") but not their
// definitions: trust policy, permissions and patterns are only readable from AWS itself with GetRoleTemplateVersion.
// Gatehouse therefore ships none. The catalogue is empty unless the operator gives templates at start
// (StartOptions.roleTemplates, GATEHOUSE_ROLE_TEMPLATES), each minor version written as GetRoleTemplateVersion returns
// it, so the output of `aws iam get-role-template-version` can be copied in as it is.
//
// Definitions are checked once, when the catalogue is made: a template that could never render (a placeholder naming
// no parameter, a list parameter where one value is expected, a policy template that is not JSON) stops the start
// instead of failing requests later.

export const PARAMETER_TYPES = ['String', 'StringList', 'Number', 'NumberList', 'Arn', 'ArnList'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export const isListType = (type: ParameterType): boolean => type.endsWith('List');

/** `@{name}`: where a template takes a parameter's value (the API reference's placeholder syntax). */
export const PLACEHOLDER = /@\{([^{}]*)\}/g;

/** The parameter names a text's placeholders refer to. */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}

/** A template parameter (the API's ParameterDefinition). */
export interface ParameterDefinition {
  readonly Name: string;
  readonly Type: ParameterType;
  readonly SubType?: string;
  readonly Description?: string;
  readonly IsRequired?: boolean;
  readonly DefaultValue?: string;
  readonly Immutable?: boolean;
}

/** One minor version of a role template as configured: the API's RoleTemplateVersion, by its member names. */
export interface RoleTemplateVersionDefinition {
  readonly TemplateArn: string;
  readonly TemplateName?: string;
  readonly TemplateVersionId?: string;
  readonly Description?: string;
  readonly MajorVersion?: number;
  readonly DefaultMinorVersion?: number;
  readonly ManagedByType?: string;
  readonly ManagedByValue?: string;
  readonly Enabled?: boolean;
  readonly MinorVersion: number;
  readonly RoleNamePattern: string;
  readonly RolePathPattern?: string;
  readonly RoleDescriptionPattern?: string;
  /** JSON text, or the policy as an object. */
  readonly AssumeRolePolicyDocumentTemplate: string | object;
  readonly InlinePolicyTemplates?: ReadonlyArray<{ readonly PolicyName: string; readonly PolicyDocument: string | object }>;
  readonly ManagedPolicyArns?: readonly string[];
  readonly PermissionBoundaryArn?: string;
  readonly ParametersDefinition?: readonly ParameterDefinition[];
  readonly RoleTagsTemplate?: ReadonlyArray<{ readonly Key: string; readonly Value: string }>;
  readonly MaxSessionDuration?: number;
  readonly VersionEnabled?: boolean;
  readonly CreateTimestamp?: string | Date;
  readonly UpdateTimestamp?: string | Date;
}

/** A policy template: its text as configured, and its parsed JSON, which rendering walks. */
export interface PolicyTemplate {
  readonly text: string;
  readonly tree: unknown;
}

export interface RoleTemplateVersion {
  readonly minorVersion: number;
  readonly versionEnabled: boolean;
  readonly templateVersionId?: string;
  readonly roleNamePattern: string;
  readonly rolePathPattern: string;
  readonly roleDescriptionPattern?: string;
  readonly trustPolicy: PolicyTemplate;
  readonly inlinePolicies: ReadonlyArray<{ readonly name: string; readonly policy: PolicyTemplate }>;
  readonly managedPolicyArns: readonly string[];
  readonly permissionsBoundaryArn?: string;
  readonly parameters: readonly ParameterDefinition[];
  readonly tags: ReadonlyArray<{ readonly Key: string; readonly Value: string }>;
  readonly maxSessionDuration?: number;
  readonly createTimestamp?: Date;
  readonly updateTimestamp?: Date;
}

export interface RoleTemplate {
  readonly arn: string;
  readonly name: string;
  /** The AWS service principal of the ARN: the service that manages the template (ManagedByValue). */
  readonly servicePrincipal: string;
  readonly majorVersion: number;
  readonly description?: string;
  readonly enabled: boolean;
  readonly defaultMinorVersion: number;
  readonly versions: ReadonlyMap<number, RoleTemplateVersion>;
}

export interface RoleTemplateCatalogue {
  /** The template an ARN names, compared exactly (another case names no template). */
  get(arn: string): RoleTemplate | undefined;
  list(): readonly RoleTemplate[];
}

/** A definition that cannot be served; the server refuses to start with it. */
export class RoleTemplateDefinitionError extends Error {
  override readonly name = 'RoleTemplateDefinitionError';
}

// The Service Authorization Reference's role-template resource:
// arn:${Partition}:iam::aws:role-template/${AWSServicePrincipal}/${RoleTemplateName}:${RoleTemplateMajorVersion}
const TEMPLATE_ARN = /^arn:aws:iam::aws:role-template\/([a-z0-9][a-z0-9.-]*)\/([\w+=,.-]{1,128}):(0|[1-9]\d{0,8})$/;

/** The parts of a role template ARN, or undefined when the text is not one. */
export function parseRoleTemplateArn(arn: string): { servicePrincipal: string; name: string; majorVersion: number } | undefined {
  const m = TEMPLATE_ARN.exec(arn);
  if (m === null) return undefined;
  return { servicePrincipal: m[1] as string, name: m[2] as string, majorVersion: Number(m[3]) };
}

export const EMPTY_ROLE_TEMPLATE_CATALOGUE: RoleTemplateCatalogue = { get: () => undefined, list: () => [] };

// The API reference's constraints for RoleTemplateVersion and ParameterDefinition members.
const PARAMETER_NAME = /^[\w.-]{1,128}$/;
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
const TEMPLATE_VERSION_ID = /^\w{16,128}$/;
const TEXT = /^[\t\n\r\u0020-\u007E\u00A1-\u00FF]*$/;
const POLICY_TEXT = /^[\t\n\r\u0020-\u00FF]+$/;
const MEMBERS = new Set([
  'TemplateArn', 'TemplateName', 'TemplateVersionId', 'Description', 'MajorVersion', 'DefaultMinorVersion', 'ManagedByType', 'ManagedByValue',
  'Enabled', 'MinorVersion', 'RoleNamePattern', 'RolePathPattern', 'RoleDescriptionPattern', 'AssumeRolePolicyDocumentTemplate',
  'InlinePolicyTemplates', 'ManagedPolicyArns', 'PermissionBoundaryArn', 'ParametersDefinition', 'RoleTagsTemplate', 'MaxSessionDuration',
  'VersionEnabled', 'CreateTimestamp', 'UpdateTimestamp',
]);
const PARAMETER_MEMBERS = new Set(['Name', 'Type', 'SubType', 'Description', 'IsRequired', 'DefaultValue', 'Immutable']);

type Json = Readonly<Record<string, unknown>>;

/** Checks a definition's members, naming the template and minor version in every complaint. */
class Checker {
  constructor(private readonly where: string) {}

  fail(message: string): never {
    throw new RoleTemplateDefinitionError(`role template ${this.where}: ${message}`);
  }

  text(d: Json, member: string, opts: { required?: boolean; max?: number; pattern?: RegExp } = {}): string | undefined {
    const value = d[member];
    if (value === undefined) {
      if (opts.required === true) this.fail(`${member} is required`);
      return undefined;
    }
    if (typeof value !== 'string') this.fail(`${member} must be a string`);
    if (opts.max !== undefined && value.length > opts.max) this.fail(`${member} is longer than ${opts.max} characters`);
    if (opts.pattern !== undefined && !opts.pattern.test(value)) this.fail(`${member} ${JSON.stringify(value)} does not match ${opts.pattern.source}`);
    return value;
  }

  integer(d: Json, member: string, min: number, max: number): number | undefined {
    const value = d[member];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) this.fail(`${member} must be an integer from ${min} to ${max}`);
    return value;
  }

  flag(d: Json, member: string): boolean | undefined {
    const value = d[member];
    if (value !== undefined && typeof value !== 'boolean') this.fail(`${member} must be true or false`);
    return value;
  }

  date(d: Json, member: string): Date | undefined {
    const value = d[member];
    if (value === undefined) return undefined;
    const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
    if (date === undefined || Number.isNaN(date.getTime())) this.fail(`${member} must be an ISO 8601 date`);
    return date;
  }

  array(d: Json, member: string, max = Infinity): readonly unknown[] {
    const value = d[member];
    if (value === undefined) return [];
    if (!Array.isArray(value)) this.fail(`${member} must be a list`);
    if (value.length > max) this.fail(`${member} has more than ${max} items`);
    return value;
  }

  object(value: unknown, what: string, members: ReadonlySet<string>): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(`${what} must be an object`);
    for (const key of Object.keys(value)) if (!members.has(key)) this.fail(`${what} has no member ${key}`);
    return value as Json;
  }

  /** A policy template: JSON text (or an object, written out as JSON) within IAM's policy character set. */
  policy(value: unknown, member: string): PolicyTemplate {
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'object' && value !== null) text = JSON.stringify(value);
    else this.fail(`${member} must be a JSON policy (text or object)`);
    if (text.length > 131072 || !POLICY_TEXT.test(text)) this.fail(`${member} must be 1 to 131072 characters from tab, newline and U+0020 to U+00FF`);
    try {
      return { text, tree: JSON.parse(text) as unknown };
    } catch (error) {
      return this.fail(`${member} is not JSON: ${(error as Error).message}`);
    }
  }
}

function parameterOf(check: Checker, value: unknown, index: number): ParameterDefinition {
  const d = check.object(value, `ParametersDefinition[${index}]`, PARAMETER_MEMBERS);
  const name = check.text(d, 'Name', { required: true, pattern: PARAMETER_NAME }) as string;
  const type = d['Type'];
  if (typeof type !== 'string' || !(PARAMETER_TYPES as readonly string[]).includes(type)) check.fail(`parameter ${name}: Type must be one of ${PARAMETER_TYPES.join(', ')}`);
  const subType = check.text(d, 'SubType', { max: 256 });
  const description = check.text(d, 'Description', { max: 1000 });
  const defaultValue = check.text(d, 'DefaultValue', { max: 1024 });
  const isRequired = check.flag(d, 'IsRequired');
  const immutable = check.flag(d, 'Immutable');
  return {
    Name: name,
    Type: type as ParameterType,
    ...(subType !== undefined ? { SubType: subType } : {}),
    ...(description !== undefined ? { Description: description } : {}),
    ...(isRequired !== undefined ? { IsRequired: isRequired } : {}),
    ...(defaultValue !== undefined ? { DefaultValue: defaultValue } : {}),
    ...(immutable !== undefined ? { Immutable: immutable } : {}),
  };
}

/**
 * Every placeholder must name a parameter. A list parameter has several values, so it may only stand alone as a
 * whole string of a policy document (where it becomes a JSON array); in names, paths, descriptions, tags, policy keys
 * or within a longer string it would have no single meaning.
 */
function checkPlaceholders(check: Checker, version: RoleTemplateVersion): void {
  const types = new Map(version.parameters.map((p) => [p.Name, p.Type]));
  const scalar = (text: string, where: string): void => {
    for (const name of placeholdersOf(text)) {
      const type = types.get(name);
      if (type === undefined) check.fail(`${where} uses @{${name}}, which is no parameter of the template`);
      if (isListType(type)) check.fail(`${where} uses the list parameter @{${name}} where one value is expected`);
    }
  };
  scalar(version.roleNamePattern, 'RoleNamePattern');
  scalar(version.rolePathPattern, 'RolePathPattern');
  if (version.roleDescriptionPattern !== undefined) scalar(version.roleDescriptionPattern, 'RoleDescriptionPattern');
  version.tags.forEach((tag, i) => {
    scalar(tag.Key, `RoleTagsTemplate[${i}].Key`);
    scalar(tag.Value, `RoleTagsTemplate[${i}].Value`);
  });
  const walk = (node: unknown, where: string): void => {
    if (typeof node === 'string') {
      const whole = /^@\{([^{}]*)\}$/.exec(node);
      const type = whole === null ? undefined : types.get(whole[1] as string);
      if (type === undefined || !isListType(type)) scalar(node, where);
    } else if (Array.isArray(node)) {
      for (const item of node) walk(item, where);
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        scalar(key, `${where} (a key)`);
        walk(value, where);
      }
    }
  };
  walk(version.trustPolicy.tree, 'AssumeRolePolicyDocumentTemplate');
  for (const inline of version.inlinePolicies) walk(inline.policy.tree, `inline policy ${inline.name}`);
}

function versionOf(check: Checker, d: Json, minorVersion: number): RoleTemplateVersion {
  const parameters = check.array(d, 'ParametersDefinition').map((p, i) => parameterOf(check, p, i));
  const names = new Set<string>();
  for (const p of parameters) {
    if (names.has(p.Name)) check.fail(`parameter ${p.Name} is defined twice`);
    names.add(p.Name);
  }
  const inlinePolicies = check.array(d, 'InlinePolicyTemplates').map((value, i) => {
    const inline = check.object(value, `InlinePolicyTemplates[${i}]`, new Set(['PolicyName', 'PolicyDocument']));
    const name = check.text(inline, 'PolicyName', { required: true, pattern: POLICY_NAME }) as string;
    return { name, policy: check.policy(inline['PolicyDocument'], `inline policy ${name}`) };
  });
  const policyNames = new Set<string>();
  for (const { name } of inlinePolicies) {
    if (policyNames.has(name.toLowerCase())) check.fail(`inline policy ${name} is defined twice`);
    policyNames.add(name.toLowerCase());
  }
  const managedPolicyArns = check.array(d, 'ManagedPolicyArns', 10).map((arn, i) => {
    if (typeof arn !== 'string' || !/^arn:aws:iam::(\d{12}|aws):policy\/.+$/.test(arn) || arn.length > 2048) check.fail(`ManagedPolicyArns[${i}] must be an IAM policy ARN`);
    return arn;
  });
  const tags = check.array(d, 'RoleTagsTemplate', 50).map((value, i) => {
    const tag = check.object(value, `RoleTagsTemplate[${i}]`, new Set(['Key', 'Value']));
    return { Key: check.text(tag, 'Key', { required: true }) as string, Value: check.text(tag, 'Value', { required: true }) as string };
  });
  const boundary = check.text(d, 'PermissionBoundaryArn', { pattern: /^arn:aws:iam::(\d{12}|aws):policy\/.+$/, max: 2048 });
  const description = check.text(d, 'RoleDescriptionPattern', { max: 512 });
  const templateVersionId = check.text(d, 'TemplateVersionId', { pattern: TEMPLATE_VERSION_ID });
  const maxSessionDuration = check.integer(d, 'MaxSessionDuration', 3600, 43200);
  const created = check.date(d, 'CreateTimestamp');
  const updated = check.date(d, 'UpdateTimestamp');
  const version: RoleTemplateVersion = {
    minorVersion,
    versionEnabled: check.flag(d, 'VersionEnabled') ?? true,
    ...(templateVersionId !== undefined ? { templateVersionId } : {}),
    roleNamePattern: check.text(d, 'RoleNamePattern', { required: true, max: 256 }) as string,
    rolePathPattern: check.text(d, 'RolePathPattern', { max: 256, pattern: /^\/([\t\n\r\u0020-\u007E\u00A1-\u00FF]*\/)?$/ }) ?? '/',
    ...(description !== undefined ? { roleDescriptionPattern: description } : {}),
    trustPolicy: check.policy(d['AssumeRolePolicyDocumentTemplate'], 'AssumeRolePolicyDocumentTemplate'),
    inlinePolicies,
    managedPolicyArns,
    ...(boundary !== undefined ? { permissionsBoundaryArn: boundary } : {}),
    parameters,
    tags,
    ...(maxSessionDuration !== undefined ? { maxSessionDuration } : {}),
    ...(created !== undefined ? { createTimestamp: created } : {}),
    ...(updated !== undefined ? { updateTimestamp: updated } : {}),
  };
  if (version.roleNamePattern === '') check.fail('RoleNamePattern must not be empty');
  checkPlaceholders(check, version);
  return version;
}

/** Accepts a RoleTemplateVersion, or GetRoleTemplateVersion's whole answer ({ RoleTemplateVersion: … }). */
function unwrap(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'RoleTemplateVersion') return (value as Json)['RoleTemplateVersion'];
  }
  return value;
}

interface Draft {
  readonly arn: string;
  readonly parsed: NonNullable<ReturnType<typeof parseRoleTemplateArn>>;
  description?: string;
  enabled?: boolean;
  defaultMinorVersion?: number;
  readonly versions: Map<number, RoleTemplateVersion>;
}

/** A template-wide member must have the same value in every minor version that gives it. */
function agree<T>(check: Checker, draft: Draft, key: 'description' | 'enabled' | 'defaultMinorVersion', value: T | undefined, member: string): void {
  if (value === undefined) return;
  const current = draft[key];
  if (current !== undefined && current !== value) check.fail(`${member} differs between minor versions of the same template`);
  (draft as unknown as Record<string, unknown>)[key] = value;
}

/**
 * The catalogue of the given definitions (each one minor version of a template), checked. Throws
 * RoleTemplateDefinitionError for the first definition that cannot be served.
 */
export function createRoleTemplateCatalogue(definitions: readonly unknown[]): RoleTemplateCatalogue {
  if (definitions.length === 0) return EMPTY_ROLE_TEMPLATE_CATALOGUE;
  const drafts = new Map<string, Draft>();
  definitions.forEach((value, index) => {
    const first: Checker = new Checker(`#${index + 1}`);
    const d = first.object(unwrap(value), 'a role template version', MEMBERS);
    const arn = first.text(d, 'TemplateArn', { required: true }) as string;
    const parsed = parseRoleTemplateArn(arn);
    if (parsed === undefined) first.fail(`TemplateArn ${JSON.stringify(arn)} is not a role template ARN (arn:aws:iam::aws:role-template/SERVICE/NAME:MAJOR)`);
    const minorVersion = first.integer(d, 'MinorVersion', 0, 999_999_999);
    if (minorVersion === undefined) first.fail('MinorVersion is required');
    const check: Checker = new Checker(`${arn} minor version ${minorVersion}`);
    if (d['TemplateName'] !== undefined && d['TemplateName'] !== parsed.name) check.fail(`TemplateName must be ${parsed.name}, the name in its ARN`);
    if (d['MajorVersion'] !== undefined && d['MajorVersion'] !== parsed.majorVersion) check.fail(`MajorVersion must be ${parsed.majorVersion}, the version in its ARN`);
    if (d['ManagedByValue'] !== undefined && d['ManagedByValue'] !== parsed.servicePrincipal) check.fail(`ManagedByValue must be ${parsed.servicePrincipal}, the service in its ARN`);
    if (d['ManagedByType'] !== undefined && d['ManagedByType'] !== 'Service') check.fail('ManagedByType must be Service');
    let draft = drafts.get(arn);
    if (draft === undefined) drafts.set(arn, (draft = { arn, parsed, versions: new Map() }));
    if (draft.versions.has(minorVersion)) check.fail('this minor version is defined twice');
    agree(check, draft, 'description', check.text(d, 'Description', { max: 512, pattern: TEXT }), 'Description');
    agree(check, draft, 'enabled', check.flag(d, 'Enabled'), 'Enabled');
    agree(check, draft, 'defaultMinorVersion', check.integer(d, 'DefaultMinorVersion', 0, 999_999_999), 'DefaultMinorVersion');
    draft.versions.set(minorVersion, versionOf(check, d, minorVersion));
  });
  const templates = new Map<string, RoleTemplate>();
  for (const draft of drafts.values()) {
    // Without a stated default, the newest minor version is the one used.
    const defaultMinorVersion = draft.defaultMinorVersion ?? Math.max(...draft.versions.keys());
    if (!draft.versions.has(defaultMinorVersion)) {
      throw new RoleTemplateDefinitionError(`role template ${draft.arn}: DefaultMinorVersion ${defaultMinorVersion} is not one of its minor versions`);
    }
    templates.set(draft.arn, {
      arn: draft.arn,
      name: draft.parsed.name,
      servicePrincipal: draft.parsed.servicePrincipal,
      majorVersion: draft.parsed.majorVersion,
      ...(draft.description !== undefined ? { description: draft.description } : {}),
      enabled: draft.enabled ?? true,
      defaultMinorVersion,
      versions: draft.versions,
    });
  }
  const all = [...templates.values()];
  return { get: (arn) => templates.get(arn), list: () => all };
}
