import { parseArn, PARTITIONS } from './arn.js';
import { parseOperatorName } from './conditions/operator-name.js';
import { IAM_MESSAGE_TEMPLATES, IAM_MESSAGES } from './errors.js';
import type { Statement } from './types.js';
import type { IamRejection, ValidationContext } from './validate-context.js';
import { legacyReadsDate } from './validate-legacy.js';

// The checks the storing service itself makes (IAM's MalformedPolicyDocument, Organizations'
// MalformedPolicyDocumentException), beyond the grammar that parsePolicy already enforces. The first problem found
// is the one reported, as the APIs report a single message.

const SID = /^[0-9A-Za-z]*$/;
const UNIQUE_ID = /^A[A-Z0-9]{15,}$/;
const STS_PREFIX = 'sts';
// Service prefixes are letters, digits and hyphens (execute-api, ec2-instance-connect); IAM does not insist the
// service exists, only that the name could be one.
const VENDOR = /^[A-Za-z0-9_.-]+$/;

function reject(message: string, path: string): IamRejection {
  return { message, path };
}

function hasWildcard(text: string): boolean {
  return text.includes('*') || text.includes('?');
}

function checkSid(ctx: ValidationContext, statement: Statement): IamRejection | undefined {
  const iamStored = ctx.policyType === 'identity' || ctx.policyType === 'trust';
  if (iamStored && statement.sid !== undefined && !SID.test(statement.sid)) {
    return reject(IAM_MESSAGES.sidNotAlphanumeric, ctx.elementPath(statement, 'Sid'));
  }
  return undefined;
}

function checkPrincipal(ctx: ValidationContext, statement: Statement): IamRejection | undefined {
  const present = statement.principal !== undefined ? 'Principal' : statement.notPrincipal !== undefined ? 'NotPrincipal' : undefined;
  const at = present !== undefined ? ctx.elementPath(statement, present) : ctx.statementPath(statement);
  switch (ctx.policyType) {
    case 'identity':
      return present !== undefined ? reject(IAM_MESSAGES.principalNotAllowed, at) : undefined;
    case 'scp':
      return present !== undefined ? reject(IAM_MESSAGES.organizationsPolicyType, at) : undefined;
    case 'rcp':
      // RCPs name every principal and narrow them with conditions; NotPrincipal is not part of their grammar.
      return statement.principal?.kind === 'any' ? undefined : reject(IAM_MESSAGES.organizationsPolicyType, at);
    case 'trust':
      if (present === undefined) return reject(IAM_MESSAGES.trustNoPrincipal, at);
      if (present === 'NotPrincipal') return reject(IAM_MESSAGE_TEMPLATES.prohibitedField('NotPrincipal'), at);
      if (statement.principal?.kind === 'any') return reject(IAM_MESSAGES.trustStarPrincipal, at);
      return checkPrincipalValues(ctx, statement);
    case 'resource':
      if (present === undefined) return reject(IAM_MESSAGES.missingPrincipal, at);
      return checkPrincipalValues(ctx, statement);
  }
}

/** AWS principals must be `*`, an account, an ARN without wildcards, or a unique ID IAM stored for a deleted entity. */
function checkPrincipalValues(ctx: ValidationContext, statement: Statement): IamRejection | undefined {
  const element = statement.principal !== undefined ? 'Principal' : 'NotPrincipal';
  const principal = statement.principal ?? statement.notPrincipal;
  if (principal === undefined || principal.kind === 'any') return undefined;
  for (const [index, value] of principal.aws.entries()) {
    if (value === '*') continue;
    const valid = /^\d{12}$/.test(value) || UNIQUE_ID.test(value) || (parseArn(value) !== undefined && !hasWildcard(value));
    if (!valid) {
      return reject(IAM_MESSAGE_TEMPLATES.invalidPrincipal('AWS', value), ctx.principalPath(statement, element, 'AWS', index));
    }
  }
  if (ctx.policyType !== 'trust') return undefined;
  for (const [index, value] of principal.service.entries()) {
    if (BARE_SERVICE_DOMAINS.has(value.toLowerCase())) {
      return reject(IAM_MESSAGE_TEMPLATES.invalidPrincipal('SERVICE', value), ctx.principalPath(statement, element, 'Service', index));
    }
  }
  return undefined;
}

// A service principal names a service within AWS's domain (`ec2.amazonaws.com`); IAM refuses the domain alone
// (`Invalid principal in policy: "SERVICE":"amazonaws.com"`, aws-samples/aws-cdk-examples#801). IAM also refuses
// names of services that assume no roles (`tagging.amazonaws.com`, hashicorp/terraform#35086), which needs AWS's list
// of service principals: not checked here.
const BARE_SERVICE_DOMAINS: ReadonlySet<string> = new Set(['amazonaws.com', 'amazonaws.com.cn', 'amazon.com']);

function checkResources(ctx: ValidationContext, statement: Statement): IamRejection | undefined {
  if (ctx.policyType === 'trust') {
    if (statement.resource !== undefined) return reject(IAM_MESSAGE_TEMPLATES.prohibitedField('Resource'), ctx.elementPath(statement, 'Resource'));
    if (statement.notResource !== undefined) {
      return reject(IAM_MESSAGE_TEMPLATES.prohibitedField('NotResource'), ctx.elementPath(statement, 'NotResource'));
    }
    return undefined;
  }
  return eachResource(ctx, statement, (value) => resourceProblem(value)) ?? missingResources(ctx, statement);
}

function missingResources(ctx: ValidationContext, statement: Statement): IamRejection | undefined {
  if (ctx.policyType === 'identity' && statement.resource === undefined && statement.notResource === undefined) {
    return reject(IAM_MESSAGES.missingResources, ctx.statementPath(statement));
  }
  return undefined;
}

function eachResource(
  ctx: ValidationContext,
  statement: Statement,
  problemOf: (value: string) => string | undefined,
): IamRejection | undefined {
  for (const element of ['Resource', 'NotResource'] as const) {
    const values = element === 'Resource' ? statement.resource : statement.notResource;
    for (const [index, value] of (values ?? []).entries()) {
      const problem = problemOf(value);
      if (problem !== undefined) return reject(problem, ctx.elementPath(statement, element, index));
    }
  }
  return undefined;
}

/**
 * IAM's older parser, which runs before its other checks: it refuses an ARN with an empty service, and one that has
 * an empty part (`::`) but fewer than six parts (`arn:aws:s3::bucket`).
 */
function checkLegacyResources(ctx: ValidationContext, statement: Statement): IamRejection | undefined {
  if (ctx.policyType === 'trust') return undefined;
  // Only for resources the newer checks find no fault with: those report their own text.
  return eachResource(ctx, statement, (value) =>
    value !== '*' && value.includes(':') && legacyRefuses(value) && resourceProblem(value) === undefined ? IAM_MESSAGES.legacyParsing : undefined,
  );
}

/** The legacy parser also reads the values of Date conditions (validate-legacy.ts). */
function checkLegacyDates(ctx: ValidationContext, statement: Statement): IamRejection | undefined {
  for (const clause of statement.conditions) {
    if (parseOperatorName(clause.operator)?.family !== 'Date') continue;
    if (!clause.values.every(legacyReadsDate)) {
      return reject(IAM_MESSAGES.legacyParsing, `${ctx.statementPath(statement)}.Condition.${clause.operator}.${clause.key}`);
    }
  }
  return undefined;
}

function legacyRefuses(value: string): boolean {
  const parts = value.split(':');
  return (parts.length > 2 && parts[2] === '') || (parts.length < 6 && value.includes('::'));
}

function resourceProblem(value: string): string | undefined {
  if (value === '*') return undefined;
  if (!value.includes(':')) return IAM_MESSAGE_TEMPLATES.resourceNotArn(value);
  // IAM reads whatever precedes the first colon as "arn" and quotes the partition with the missing parts as `*`.
  const [, partition = '', ...rest] = value.split(':');
  if (!hasWildcard(partition) && !PARTITIONS.includes(partition)) {
    const part = (i: number): string => (i === 0 ? (rest[0] === '' && rest.length === 1 ? '*' : rest[0]) : rest[i]) ?? '*';
    const tail = rest.length > 3 ? rest.slice(3).join(':') : '*';
    return IAM_MESSAGE_TEMPLATES.invalidPartition(partition, `arn:${partition}:${part(0)}:${part(1)}:${part(2)}:${tail}`);
  }
  if (rest.length === 0 || hasWildcard(rest[0] ?? '')) return IAM_MESSAGES.vendorNotQualified;
  if (legacyRefuses(value)) return undefined;
  const arn = parseArn(value);
  // IAM stores an ARN of fewer than six parts once its partition and service pass (`arn:aws:fdsasf`); it matches no
  // resource.
  if (arn === undefined) return value.split(':').length < 6 && value.startsWith('arn:') ? undefined : IAM_MESSAGE_TEMPLATES.resourceNotArn(value);
  // IAM is a global service: its ARNs have an empty region field.
  if (arn.service === 'iam' && arn.region !== '' && !hasWildcard(arn.region)) {
    return IAM_MESSAGE_TEMPLATES.iamResourceWithRegion(value);
  }
  if (arn.service === 'iam' && !mayStartWith(arn.resource, ['*', 'root'], IAM_RESOURCE_TYPES)) return IAM_MESSAGES.iamResourceType;
  // Buckets and objects are global names; only S3's account-level resources (access points, batch jobs, ...) are
  // regional. A wildcard region is region information too (`arn:aws:s3:*:*:bucket/*` is refused).
  if (arn.service === 's3' && arn.region !== '' && !mayStartWith(arn.resource, [], S3_REGIONAL_TYPES)) {
    return IAM_MESSAGE_TEMPLATES.s3ResourceWithRegion(value);
  }
  return undefined;
}

const IAM_RESOURCE_TYPES = [
  'user/',
  'federated-user/',
  'role/',
  'group/',
  'instance-profile/',
  'mfa/',
  'server-certificate/',
  'policy/',
  'sms-mfa/',
  'saml-provider/',
  'oidc-provider/',
  'report/',
  'access-report/',
  // Newer resource types of the Service Authorization Reference than the text above names; AWS's own managed
  // policies grant iam:GetRoleTemplateVersion on role-template ARNs.
  'role-template/',
  'delegation-request/',
];
const S3_REGIONAL_TYPES = ['accesspoint/', 'job/', 'storage-lens/', 'storage-lens-group/', 'async-request/', 'access-grants/'];

/**
 * True when the resource part is one of `exact`, starts with one of `prefixes`, or could still become one once its
 * wildcards or policy variables are filled in (`ro*` may name a role, `foo*` names nothing IAM stores).
 */
function mayStartWith(resource: string, exact: readonly string[], prefixes: readonly string[]): boolean {
  if (exact.includes(resource) || prefixes.some((p) => resource.startsWith(p))) return true;
  const open = resource.search(/[*?]|\$\{/);
  if (open === -1) return false;
  const literal = resource.slice(0, open);
  return [...exact, ...prefixes].some((p) => p.startsWith(literal));
}

function checkActions(ctx: ValidationContext, statement: Statement): IamRejection | undefined {
  for (const element of ['Action', 'NotAction'] as const) {
    const values = element === 'Action' ? statement.action : statement.notAction;
    for (const [index, action] of (values ?? []).entries()) {
      if (action === '*') continue;
      const at = ctx.elementPath(statement, element, index);
      const colon = action.indexOf(':');
      if (colon <= 0) return reject(IAM_MESSAGES.vendorPrefix, at);
      if (action.indexOf(':', colon + 1) !== -1) return reject(IAM_MESSAGES.oneColon, at);
      const vendor = action.slice(0, colon);
      if (hasWildcard(vendor)) return reject(IAM_MESSAGES.wildcardVendor, at);
      if (!VENDOR.test(vendor)) return reject(IAM_MESSAGE_TEMPLATES.invalidVendor(vendor), at);
      if (ctx.policyType === 'trust' && element === 'Action' && action.slice(0, colon).toLowerCase() !== STS_PREFIX) {
        return reject(IAM_MESSAGES.trustActions, at);
      }
    }
  }
  if (ctx.policyType === 'rcp') return checkRcpShape(ctx, statement);
  return undefined;
}

/** RCPs deny; the only Allow Organizations stores is the full-access statement of RCPFullAWSAccess. */
function checkRcpShape(ctx: ValidationContext, statement: Statement): IamRejection | undefined {
  if (statement.notAction !== undefined) return reject(IAM_MESSAGES.organizationsPolicyType, ctx.elementPath(statement, 'NotAction'));
  if (statement.effect !== 'Allow') return undefined;
  const everything = (values: readonly string[] | undefined): boolean => values !== undefined && values.every((v) => v === '*');
  const fullAccess =
    everything(statement.action) && everything(statement.resource) && statement.conditions.length === 0;
  return fullAccess ? undefined : reject(IAM_MESSAGES.organizationsPolicyType, ctx.elementPath(statement, 'Effect'));
}

function checkConditions(ctx: ValidationContext, statement: Statement): IamRejection | undefined {
  for (const clause of statement.conditions) {
    const lower = clause.operator.toLowerCase();
    // Null with a qualifier or IfExists is not an operator either, but Access Analyzer reports those as findings
    // of their own (NULL_WITH_IF_EXISTS, NULL_WITH_QUALIFIER), so they are left to the findings pass.
    const nullVariant = lower === 'nullifexists' || /^for(allvalues|anyvalue):null$/.test(lower);
    if (parseOperatorName(clause.operator) === undefined && !nullVariant) {
      return reject(IAM_MESSAGES.syntax, `${ctx.statementPath(statement)}.Condition.${clause.operator}`);
    }
    // Keys need no service prefix: IAM stores `{"StringEquals": {"a": "b"}}` (the key is simply never present).
  }
  return undefined;
}

function checkDuplicateSids(ctx: ValidationContext): IamRejection | undefined {
  if (ctx.policyType !== 'identity' && ctx.policyType !== 'trust') return undefined;
  const seen = new Set<string>();
  for (const statement of ctx.doc.statements) {
    if (statement.sid === undefined || statement.sid === '') continue;
    if (seen.has(statement.sid)) return reject(IAM_MESSAGES.duplicateSid, ctx.elementPath(statement, 'Sid'));
    seen.add(statement.sid);
  }
  return undefined;
}

/** Only documents the validator parsed with actionsOptional hold such statements; the parser refuses them otherwise. */
function checkMissingActions(ctx: ValidationContext): IamRejection | undefined {
  const bare = ctx.doc.statements.find((statement) => statement.action === undefined && statement.notAction === undefined);
  return bare === undefined ? undefined : reject(IAM_MESSAGES.missingActions, ctx.statementPath(bare));
}

function checkVersion(ctx: ValidationContext): IamRejection | undefined {
  const at = ctx.doc.version === undefined ? '$' : '$.Version';
  if (ctx.policyType === 'identity' && ctx.options.managedPolicy === true && ctx.doc.version !== '2012-10-17') {
    return reject(IAM_MESSAGES.versionTooOld, at);
  }
  if (ctx.policyType === 'rcp' && ctx.doc.version !== '2012-10-17') return reject(IAM_MESSAGES.organizationsPolicyType, at);
  return undefined;
}

/**
 * The first reason the storing service would refuse the document, or undefined when it would store it. IAM runs each
 * check over every statement before the next check, so a later statement's legacy-parsing problem is reported before
 * an earlier one's bad action; the order of the passes is IAM's.
 */
export function findRejection(ctx: ValidationContext): IamRejection | undefined {
  const passes: Array<(statement: Statement) => IamRejection | undefined> = [
    (statement) => checkSid(ctx, statement) ?? checkPrincipal(ctx, statement),
    (statement) => checkLegacyResources(ctx, statement) ?? checkLegacyDates(ctx, statement),
  ];
  const afterSids: Array<(statement: Statement) => IamRejection | undefined> = [
    (statement) => checkResources(ctx, statement),
    (statement) => checkActions(ctx, statement),
    (statement) => checkConditions(ctx, statement),
  ];
  const problem =
    checkVersion(ctx) ?? firstProblem(ctx, passes) ?? checkDuplicateSids(ctx) ?? checkMissingActions(ctx) ?? firstProblem(ctx, afterSids);
  return problem === undefined ? undefined : organizationsWording(ctx, problem);
}

function firstProblem(ctx: ValidationContext, passes: ReadonlyArray<(statement: Statement) => IamRejection | undefined>): IamRejection | undefined {
  for (const pass of passes) {
    for (const statement of ctx.doc.statements) {
      const problem = pass(statement);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

/** Organizations does not pass IAM's detailed texts through: every SCP/RCP content problem gets its one message. */
function organizationsWording(ctx: ValidationContext, rejection: IamRejection): IamRejection {
  if (ctx.policyType !== 'scp' && ctx.policyType !== 'rcp') return rejection;
  return { message: IAM_MESSAGES.organizationsPolicyType, path: rejection.path };
}
