import { RequestContext, resourceAccountOf, type DecisionRequest } from './context.js';
import { evaluateIdentity, type IdentityOutcome } from './evaluate-identity.js';
import { evaluateOrganization, type OrganizationLevel } from './evaluate-organization.js';
import { protectionOf } from './evaluate-protected.js';
import { evaluateResource, requiresResourceAllow } from './evaluate-resource.js';
import type { PolicyList, ScanInput, StatementTrace } from './policy-list.js';
import { describePrincipal, type RequestPrincipal } from './principal.js';
import type { PolicyType } from './types.js';

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/**
 * Policy types, plus the cases AWS decides without any policy: the root user, actions always allowed, and AWS's
 * hard-coded protections of its own resources (`awsProtected`, see evaluate-protected.ts).
 */
export type DecidingFactor = PolicyType | 'rootUser' | 'alwaysAllowed' | 'awsProtected';

export interface Explanation {
  readonly summary: string;
  readonly principal: { readonly arn: string; readonly kind: string; readonly account: string | null };
  readonly resourceAccount: string | null;
  readonly crossAccount: boolean;
  /** Every statement whose Action covers the request, with what matched and the resolved condition values. */
  readonly statements: readonly StatementTrace[];
  /** The policy types that needed an Allow and had none. */
  readonly missingAllow: readonly string[];
}

export interface DecisionResult {
  readonly decision: Decision;
  readonly decidedBy: readonly DecidingFactor[];
  readonly explanation?: Explanation;
}

export interface CompiledLists {
  readonly identity: PolicyList | undefined;
  readonly boundary: PolicyList | undefined;
  readonly session: PolicyList | undefined;
  /** Scope-down policies: each needs an Allow of its own (see PolicySet.limitingPolicies). */
  readonly limits: readonly PolicyList[];
  readonly resource: PolicyList | undefined;
  readonly scp: readonly OrganizationLevel[];
  readonly rcp: readonly OrganizationLevel[];
  readonly managementAccountId: string | undefined;
}

// Principals that carry identity policies; the others are only ever granted by a resource policy.
const HAS_IDENTITY = new Set<RequestPrincipal['kind']>(['user', 'role', 'assumedRole', 'federatedUser']);

function principalArnHint(request: DecisionRequest): string | undefined {
  // Only a role session's principal needs it (its role's ARN, with the path the session ARN lacks).
  if (!request.principal.includes(':assumed-role/')) return undefined;
  const ctx = request.context;
  if (ctx === undefined) return undefined;
  for (const key in ctx) {
    if (key.toLowerCase() === 'aws:principalarn') {
      const value = ctx[key];
      return typeof value === 'string' ? value : undefined;
    }
  }
  return undefined;
}

interface Verdict {
  readonly decision: Decision;
  readonly decidedBy: readonly DecidingFactor[];
  /** The organization level (root, OU, account) that had no Allow, for SCP and RCP denials. */
  readonly level?: string;
}

function verdict(decision: Decision, ...decidedBy: DecidingFactor[]): Verdict {
  return Object.freeze({ decision, decidedBy: Object.freeze(decidedBy) });
}

function missingAllow(factor: PolicyType): Verdict {
  return verdict('ImplicitlyDenied', factor);
}

// Verdicts are shared, frozen constants: a decision that is not explained allocates none of them.
const ALWAYS_ALLOWED = verdict('Allowed', 'alwaysAllowed');
const ROOT_ALLOWED = verdict('Allowed', 'rootUser');
const PROTECTED = verdict('ImplicitlyDenied', 'awsProtected');
const RESOURCE_ALLOWED = verdict('Allowed', 'resource');
const IDENTITY_ALLOWED = verdict('Allowed', 'identity');
const BOTH_ALLOWED = verdict('Allowed', 'identity', 'resource');
const MISSING: Readonly<Record<PolicyType, Verdict>> = {
  identity: missingAllow('identity'),
  permissionsBoundary: missingAllow('permissionsBoundary'),
  session: missingAllow('session'),
  resource: missingAllow('resource'),
  scp: missingAllow('scp'),
  rcp: missingAllow('rcp'),
};

const PRINCIPAL_CACHE_LIMIT = 1024;

/** Principal descriptions per compiled set: a set serves one principal or a few, so parsing each once is enough. */
export class PrincipalCache {
  private readonly entries = new Map<string, RequestPrincipal>();
  get(raw: string, hint: string | undefined): RequestPrincipal {
    const key = hint === undefined ? raw : `${raw}\n${hint}`;
    let principal = this.entries.get(key);
    if (principal === undefined) {
      if (this.entries.size >= PRINCIPAL_CACHE_LIMIT) this.entries.clear();
      principal = describePrincipal(raw, hint);
      this.entries.set(key, principal);
    }
    return principal;
  }
}

export function decide(lists: CompiledLists, principals: PrincipalCache, request: DecisionRequest, explain: boolean): DecisionResult {
  const principal = principals.get(request.principal, principalArnHint(request));
  const actionLower = request.action.toLowerCase();
  const resource = request.resource ?? '*';
  const resourceAccount = resourceAccountOf(request, principal);
  const crossAccount = principal.account !== undefined && resourceAccount !== undefined && principal.account !== resourceAccount;
  const input: ScanInput = {
    actionLower,
    resource,
    principal,
    lookup: new RequestContext(request, principal, resourceAccount).lookup,
    hasBoundary: lists.boundary !== undefined,
  };
  const trace: StatementTrace[] | undefined = explain ? [] : undefined;

  const evaluated = limit(evaluate(lists, input, principal, resourceAccount, crossAccount, trace), lists.limits, input, trace);
  // What the policies would allow, AWS still refuses on its own resources: an explicit deny or a missing allow reads
  // as usual (the caller lacked the permission), an allow becomes an implicit deny no policy can lift.
  const result = evaluated.decision === 'Allowed' && protectionOf(actionLower, resource) !== undefined ? PROTECTED : evaluated;
  if (!explain) return result.level === undefined ? result : { decision: result.decision, decidedBy: result.decidedBy };
  return {
    decision: result.decision,
    decidedBy: result.decidedBy,
    explanation: {
      summary: summarize(result, request),
      principal: { arn: request.principal, kind: principal.kind, account: principal.account ?? null },
      resourceAccount: resourceAccount ?? null,
      crossAccount,
      statements: trace ?? [],
      missingAllow:
        result.decision === 'ImplicitlyDenied'
          ? [result.level === undefined ? `${result.decidedBy[0]}` : `${result.decidedBy[0]}:${result.level}`]
          : [],
    },
  };
}

function evaluate(
  lists: CompiledLists,
  input: ScanInput,
  principal: RequestPrincipal,
  resourceAccount: string | undefined,
  crossAccount: boolean,
  trace: StatementTrace[] | undefined,
): Verdict {
  // AWS answers GetCallerIdentity whatever the policies say, even under an explicit deny.
  if (input.actionLower === 'sts:getcalleridentity') return ALWAYS_ALLOWED;

  const management = lists.managementAccountId;
  const hasIdentity = HAS_IDENTITY.has(principal.kind);
  // SCPs bind the principals of member accounts (their root users too), never service principals or outsiders.
  const scpApplies = principal.account !== undefined && principal.account !== management && principal.kind !== 'service';
  // RCPs bind requests to resources of member accounts, except those made by AWS service principals.
  const rcpApplies = resourceAccount !== undefined && resourceAccount !== management && principal.kind !== 'service';

  const rcp = rcpApplies ? evaluateOrganization(lists.rcp, input, trace) : undefined;
  const scp = scpApplies ? evaluateOrganization(lists.scp, input, trace) : undefined;
  const own = hasIdentity ? evaluateIdentity(lists, input, trace) : undefined;
  const res = evaluateResource(lists.resource, input, trace);

  const denied: DecidingFactor[] = [];
  if (scp?.deny) denied.push('scp');
  if (rcp?.deny) denied.push('rcp');
  if (own?.identity.deny) denied.push('identity');
  if (own?.boundary?.deny) denied.push('permissionsBoundary');
  if (own?.session?.deny) denied.push('session');
  if (res.deny) denied.push('resource');
  if (denied.length > 0) return verdict('ExplicitlyDenied', ...denied);

  if (rcp?.unallowedLevel !== undefined) return { ...MISSING.rcp, level: rcp.unallowedLevel };
  if (scp?.unallowedLevel !== undefined) return { ...MISSING.scp, level: scp.unallowedLevel };

  const resourceAllows = res.allow !== undefined;
  if (principal.kind === 'root') {
    if (!crossAccount) return ROOT_ALLOWED;
    return resourceAllows ? RESOURCE_ALLOWED : MISSING.resource;
  }
  if (own === undefined) return resourceAllows ? RESOURCE_ALLOWED : MISSING.resource;

  if (crossAccount) {
    // Across accounts both sides must allow: the caller's account and the resource's owner.
    if (own.identity.allow === undefined) return MISSING.identity;
    return limitedBySession(own, principal) ?? (resourceAllows ? BOTH_ALLOWED : MISSING.resource);
  }

  const mustUseResource = requiresResourceAllow(input.actionLower, input.resource);
  if (mustUseResource && !resourceAllows) return MISSING.resource;
  // Naming the user, the session or everyone grants on its own; naming the role still meets the boundary and the
  // session policy; naming the account only delegates to the account's identity policies.
  if (res.allowLevel === 'direct' || res.allowLevel === 'any') return RESOURCE_ALLOWED;
  const identityGrants = own.identity.allow !== undefined;
  if (!identityGrants && res.allowLevel !== 'role') return MISSING.identity;
  return limitedBySession(own, principal) ?? (!identityGrants ? RESOURCE_ALLOWED : mustUseResource ? BOTH_ALLOWED : IDENTITY_ALLOWED);
}

/**
 * Scope-down policies bind whatever the other policies decided: a Deny in one denies, and an allowed request still
 * needs an Allow in each. Nothing short-circuits them: not the root user, not a resource policy naming the session.
 * GetCallerIdentity, which AWS always answers, is the one exception.
 */
function limit(decided: Verdict, limits: readonly PolicyList[], input: ScanInput, trace: StatementTrace[] | undefined): Verdict {
  if (limits.length === 0 || decided === ALWAYS_ALLOWED) return decided;
  const scans = limits.map((list) => list.scan(input, trace));
  if (scans.some((s) => s.deny !== undefined)) {
    if (decided.decision !== 'ExplicitlyDenied') return verdict('ExplicitlyDenied', 'session');
    return decided.decidedBy.includes('session') ? decided : verdict('ExplicitlyDenied', ...decided.decidedBy, 'session');
  }
  if (decided.decision === 'Allowed' && scans.some((s) => s.allow === undefined)) return MISSING.session;
  return decided;
}

/**
 * The permissions boundary and the session policy each need an Allow too, when the principal has them. A federated
 * user session (GetFederationToken) without a session policy has no permissions at all: only role sessions keep
 * their identity permissions when no session policy was passed.
 */
function limitedBySession(own: IdentityOutcome, principal: RequestPrincipal): Verdict | undefined {
  if (own.boundary !== undefined && own.boundary.allow === undefined) return MISSING.permissionsBoundary;
  if (own.session !== undefined ? own.session.allow === undefined : principal.kind === 'federatedUser') return MISSING.session;
  return undefined;
}

/** How AWS names each policy type in its decisions ("… with an explicit deny in a permissions boundary"). */
export const TYPE_TEXT: Readonly<Record<DecidingFactor, string>> = {
  identity: 'an identity-based policy',
  permissionsBoundary: 'a permissions boundary',
  session: 'a session policy',
  resource: 'a resource-based policy',
  scp: 'a service control policy',
  rcp: 'a resource control policy',
  rootUser: 'the root user of the account',
  alwaysAllowed: 'AWS (this action is always allowed)',
  awsProtected: 'AWS (this resource is protected)',
};

/** How AWS says a policy type lacked an Allow ("… because no session policy allows the X action"). */
export const MISSING_TEXT: Readonly<Partial<Record<DecidingFactor, string>>> = {
  identity: 'no identity-based policy allows',
  permissionsBoundary: 'no permissions boundary allows',
  session: 'no session policy allows',
  resource: 'no resource-based policy allows',
  scp: 'no service control policy allows',
  rcp: 'no resource control policy allows',
  awsProtected: 'AWS protects this resource: no policy can allow',
};

function summarize(result: Verdict, request: DecisionRequest): string {
  const first = result.decidedBy[0] ?? 'identity';
  if (result.decision === 'Allowed') return `Allowed by ${result.decidedBy.map((f) => TYPE_TEXT[f]).join(' and ')}.`;
  if (result.decision === 'ExplicitlyDenied') return `Denied with an explicit deny in ${TYPE_TEXT[first]}.`;
  return `Denied because ${MISSING_TEXT[first] ?? 'nothing allows'} the ${request.action} action.`;
}
