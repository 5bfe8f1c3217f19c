import type { PrincipalElement, Statement } from './types.js';
import { hasVariable, type ValidationContext } from './validate-context.js';
import { compileTextGlob } from './wildcard.js';

// Findings about the shape of statements: versions and variables, Sids, risky element combinations, SCP
// restrictions, iam:PassRole grants and duplicated statements.

const PASS_ROLE = 'iam:passrole';
const PASSED_TO_SERVICE = 'iam:passedtoservice';

function checkVersion(ctx: ValidationContext): void {
  if (ctx.doc.version === undefined) {
    ctx.add('MISSING_VERSION', 'We recommend that you specify the Version element to help you with debugging permission issues.', '$');
  }
}

/** Variables are literal text before 2012-10-17, and only Resource and Condition read them at all. */
function checkVariables(ctx: ValidationContext, statement: Statement): void {
  const modern = ctx.doc.version === '2012-10-17';
  if (!modern) {
    const literal = (path: string): void =>
      ctx.add('VARIABLE_UNSUPPORTED_IN_VERSION', 'To include variables in your policy, use the policy version 2012-10-17 or later.', path);
    for (const element of ['Resource', 'NotResource'] as const) {
      const values = element === 'Resource' ? statement.resource : statement.notResource;
      for (const [index, value] of (values ?? []).entries()) {
        if (hasVariable(value)) literal(ctx.elementPath(statement, element, index));
      }
    }
    for (const clause of statement.conditions) {
      for (const [index, value] of clause.values.entries()) {
        if (hasVariable(value)) literal(ctx.conditionPath(statement, clause, index));
      }
    }
    return;
  }
  const unsupported = (path: string): void =>
    ctx.add(
      'VARIABLE_UNSUPPORTED_IN_ELEMENT',
      'Policy variables are supported in the Resource and Condition elements. Remove the policy variable from this element.',
      path,
    );
  for (const element of ['Action', 'NotAction'] as const) {
    const values = element === 'Action' ? statement.action : statement.notAction;
    for (const [index, value] of (values ?? []).entries()) {
      if (hasVariable(value)) unsupported(ctx.elementPath(statement, element, index));
    }
  }
  for (const element of ['Principal', 'NotPrincipal'] as const) {
    const principal = element === 'Principal' ? statement.principal : statement.notPrincipal;
    if (principal === undefined || principal.kind === 'any') continue;
    for (const [key, values] of principalEntries(principal)) {
      for (const [index, value] of values.entries()) {
        if (hasVariable(value)) unsupported(ctx.principalPath(statement, element, key, index));
      }
    }
  }
}

function principalEntries(principal: PrincipalElement & { kind: 'map' }): Array<[string, readonly string[]]> {
  return [
    ['AWS', principal.aws],
    ['Service', principal.service],
    ['Federated', principal.federated],
    ['CanonicalUser', principal.canonicalUser],
  ];
}

function checkSids(ctx: ValidationContext): void {
  const seen = new Set<string>();
  for (const statement of ctx.doc.statements) {
    if (statement.sid === '') ctx.add('EMPTY_SID_VALUE', 'Add a value to the empty string in the Sid element.', ctx.elementPath(statement, 'Sid'));
    if (statement.sid === undefined || statement.sid === '') continue;
    // IAM refuses duplicates outright for identity and trust policies (see validate-rejections.ts).
    if (seen.has(statement.sid)) {
      if (ctx.policyType === 'resource') {
        ctx.add(
          'UNIQUE_SIDS_RECOMMENDED',
          'We recommend that you use statement IDs that are unique to your policy. Update the Sid value.',
          ctx.elementPath(statement, 'Sid'),
        );
      } else if (ctx.policyType === 'scp' || ctx.policyType === 'rcp') {
        ctx.add(
          'UNIQUE_SIDS_REQUIRED',
          'Duplicate statement IDs are not supported for this policy type. Update the Sid value.',
          ctx.elementPath(statement, 'Sid'),
        );
      }
    }
    seen.add(statement.sid);
  }
}

function checkNegations(ctx: ValidationContext, statement: Statement): void {
  if (statement.effect !== 'Allow') return;
  if (statement.notPrincipal !== undefined) {
    ctx.add(
      'ALLOW_WITH_NOT_PRINCIPAL',
      'Using Allow with NotPrincipal can be overly permissive. We recommend that you use Principal instead.',
      ctx.elementPath(statement, 'NotPrincipal'),
    );
  }
  if (ctx.policyType === 'scp') return; // SCPs have their own findings for these.
  if (statement.notAction !== undefined) {
    ctx.add(
      'ALLOW_WITH_NOT_ACTION',
      'Using Allow with NotAction allows every action not listed, including actions AWS adds later. We recommend that you list the allowed actions in Action instead.',
      ctx.elementPath(statement, 'NotAction'),
    );
  }
  if (statement.notResource !== undefined) {
    ctx.add(
      'ALLOW_WITH_NOT_RESOURCE',
      'Using Allow with NotResource allows access to every resource not listed, including resources created later. We recommend that you list the allowed resources in Resource instead.',
      ctx.elementPath(statement, 'NotResource'),
    );
  }
}

function checkMissingResource(ctx: ValidationContext, statement: Statement): void {
  // Identity policies without a resource never get this far (IAM refuses them); trust policies have none.
  if ((ctx.policyType === 'resource' || ctx.policyType === 'scp') && statement.resource === undefined && statement.notResource === undefined) {
    ctx.add('MISSING_RESOURCE', 'Add a Resource or NotResource element to the policy statement.', ctx.statementPath(statement));
  }
}

/** The SCP grammar as Access Analyzer checks it: Allow statements grant whole actions on every resource. */
function checkScpSyntax(ctx: ValidationContext, statement: Statement): void {
  if (ctx.policyType !== 'scp') return;
  for (const element of ['Action', 'NotAction'] as const) {
    const values = element === 'Action' ? statement.action : statement.notAction;
    for (const [index, action] of (values ?? []).entries()) {
      const star = action.indexOf('*');
      if (action.includes('?') || (star !== -1 && star !== action.length - 1)) {
        ctx.add(
          'SCP_SYNTAX_ERROR_ACTION_WILDCARD',
          'SCP actions can include wildcards (*) only at the end of a string. Update.',
          ctx.elementPath(statement, element, index),
        );
      }
    }
  }
  if (statement.notResource !== undefined) {
    ctx.add(
      'SCP_SYNTAX_ERROR_NOTRESOURCE',
      'SCPs do not support the NotResource element. Update the policy to use Resource instead.',
      ctx.elementPath(statement, 'NotResource'),
    );
  }
  if (statement.effect !== 'Allow') return;
  if (statement.conditions.length > 0) {
    ctx.add(
      'SCP_SYNTAX_ERROR_ALLOW_CONDITION',
      'SCPs do not support the Condition element with effect Allow. Update the element Condition or the effect.',
      ctx.elementPath(statement, 'Condition'),
    );
  }
  if (statement.notAction !== undefined) {
    ctx.add(
      'SCP_SYNTAX_ERROR_ALLOW_NOTACTION',
      'SCPs do not support NotAction with effect Allow. Update the element NotAction or the effect.',
      ctx.elementPath(statement, 'NotAction'),
    );
  }
  for (const [index, resource] of (statement.resource ?? []).entries()) {
    if (resource !== '*') {
      ctx.add(
        'SCP_SYNTAX_ERROR_ALLOW_RESOURCE',
        'SCPs do not support Resource with effect Allow. Update the element Resource or the effect.',
        ctx.elementPath(statement, 'Resource', index),
      );
    }
  }
}

/** `*`, or an IAM role ARN whose name part is only a wildcard: the shapes that let a principal pass any role. */
function isStarResource(resource: string): boolean {
  return resource === '*' || /^arn:[^:]*:iam::[^:]*:(\*|role\/\*)$/.test(resource);
}

/** Passing any role to any service is how identities escalate their own permissions. */
function checkPassRole(ctx: ValidationContext, statement: Statement): void {
  if (ctx.policyType !== 'identity' || statement.effect !== 'Allow') return;
  if (statement.conditions.some((c) => c.key.toLowerCase() === PASSED_TO_SERVICE)) return;
  let grant: 'exact' | 'wildcard' | 'notAction' | undefined;
  let actionPath = '';
  if (statement.action !== undefined) {
    for (const [index, action] of statement.action.entries()) {
      if (action.toLowerCase() === PASS_ROLE) {
        grant = 'exact';
        actionPath = ctx.elementPath(statement, 'Action', index);
        break;
      }
      if (grant === undefined && compileTextGlob(action, { ignoreCase: true })(PASS_ROLE)) {
        grant = 'wildcard';
        actionPath = ctx.elementPath(statement, 'Action', index);
      }
    }
  } else if (!(statement.notAction ?? []).some((a) => compileTextGlob(a, { ignoreCase: true })(PASS_ROLE))) {
    grant = 'notAction';
    actionPath = ctx.elementPath(statement, 'NotAction');
  }
  if (grant === undefined) return;
  if (statement.notResource !== undefined) {
    const path = ctx.elementPath(statement, 'NotResource');
    if (grant === 'exact') {
      ctx.add(
        'PASS_ROLE_WITH_NOT_RESOURCE',
        'Using the iam:PassRole action with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.',
        path,
      );
    } else if (grant === 'wildcard') {
      ctx.add(
        'PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE',
        'Using an action with a wildcard (*) and NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.',
        path,
      );
    } else {
      ctx.add(
        'PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE',
        'Using NotAction with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.',
        path,
      );
    }
    return;
  }
  const starIndex = (statement.resource ?? []).findIndex(isStarResource);
  if (starIndex === -1) return;
  const path = ctx.elementPath(statement, 'Resource', starIndex);
  if (grant === 'exact') {
    ctx.add(
      'PASS_ROLE_WITH_STAR_IN_RESOURCE',
      'Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.',
      path,
    );
  } else if (grant === 'wildcard') {
    ctx.add(
      'PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE',
      'Using wildcards (*) in the action and the resource can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.',
      actionPath,
    );
  } else {
    ctx.add(
      'PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION',
      'Using a resource with wildcards (*) and NotAction can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.',
      path,
    );
  }
}

/** Everything but the Sid and the position, with list order and case where IAM ignores them normalised away. */
function statementSignature(statement: Statement): string {
  const set = (values: readonly string[] | undefined, fold: boolean): string[] | undefined =>
    values === undefined ? undefined : [...new Set(values.map((v) => (fold ? v.toLowerCase() : v)))].sort();
  const principal = (p: PrincipalElement | undefined): unknown =>
    p === undefined || p.kind === 'any'
      ? p?.kind
      : principalEntries(p).map(([key, values]) => [key, set(values, false)]);
  const conditions = statement.conditions
    .map((c) => [c.operator.toLowerCase(), c.key.toLowerCase(), set(c.values, false)])
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return JSON.stringify([
    statement.effect,
    set(statement.action, true),
    set(statement.notAction, true),
    set(statement.resource, false),
    set(statement.notResource, false),
    principal(statement.principal),
    principal(statement.notPrincipal),
    conditions,
  ]);
}

function checkRedundantStatements(ctx: ValidationContext): void {
  const seen = new Set<string>();
  for (const statement of ctx.doc.statements) {
    const signature = statementSignature(statement);
    if (seen.has(signature)) {
      ctx.add(
        'REDUNDANT_STATEMENT',
        'The statements are redundant because they provide identical permissions. Update the policy to remove the redundant statement.',
        ctx.statementPath(statement),
      );
    }
    seen.add(signature);
  }
}

export function checkStatements(ctx: ValidationContext): void {
  checkVersion(ctx);
  checkSids(ctx);
  for (const statement of ctx.doc.statements) {
    checkVariables(ctx, statement);
    checkNegations(ctx, statement);
    checkMissingResource(ctx, statement);
    checkScpSyntax(ctx, statement);
    checkPassRole(ctx, statement);
  }
  checkRedundantStatements(ctx);
}
