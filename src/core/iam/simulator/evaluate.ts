// The simulation itself: every action on every resource decided by the policy engine (compilePolicies/evaluate, the
// entry the server's own enforcement uses), then described in the shapes of IAM's EvaluationResult.
import type { DecisionResult } from '../../../policy/decide.js';
import { compilePolicies, type OrganizationPolicies, type PolicySet } from '../../../policy/engine.js';
import { MalformedPolicyError } from '../../../policy/errors.js';
import type { StatementTrace } from '../../../policy/policy-list.js';
import type { ContextInputValue } from '../../../policy/types.js';
import { ServiceError } from '../../errors.js';
import { statementSpans, type StatementSpan } from './positions.js';

export type PolicySourceType = 'user' | 'group' | 'role' | 'aws-managed' | 'user-managed' | 'resource' | 'none';
type EvalDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';

/** A policy in the simulation, with what MatchedStatements says about it. */
export interface SourcedPolicy {
  /** SourcePolicyId: `PolicyInputList.1`, an inline policy's name, a managed policy's name, `ResourcePolicy`… */
  readonly id: string;
  /** Absent for the request's own inputs, which AWS reports without a type. */
  readonly type?: PolicySourceType;
  readonly document: string;
  /** Whether MatchedStatements may give this policy's statement positions (not for the organization's policies). */
  readonly disclose?: boolean;
  /** What PolicyExclusionList names it by: a managed policy's ARN, an inline policy's owner, an SCP's ID. */
  readonly ref?: { readonly arn?: string; readonly owner?: string; readonly policyId?: string };
}

/** The resource policy (a registered one, a role's trust policy, or the request's) and the account owning the resource. */
export interface ResourceSide {
  readonly policy?: SourcedPolicy;
  readonly account: string;
  /** The RCPs of the resource's account that bind this action, root first. */
  readonly rcp?: readonly OrganizationPolicies[];
}

export interface Simulation {
  readonly principal: string;
  /** The principal's account (the SCPs bind it unless it is the management account). */
  readonly principalAccount: string;
  readonly identity: readonly SourcedPolicy[];
  readonly boundary?: SourcedPolicy;
  /** SCP levels, root first; each policy is sourced for MatchedStatements. */
  readonly scp?: ReadonlyArray<{ readonly target: string; readonly policies: readonly SourcedPolicy[] }>;
  readonly managementAccountId?: string;
  readonly context: Readonly<Record<string, ContextInputValue>>;
  readonly now: Date;
  readonly actions: readonly string[];
  /** Empty: every action on `*`. */
  readonly resources: readonly string[];
  readonly resourceSide: (action: string, resource: string) => ResourceSide;
  /** An EC2 scenario of ResourceHandlingOption: each action decided on all resources together. */
  readonly scenario?: string;
}

const DECISION: Record<DecisionResult['decision'], EvalDecision> = {
  Allowed: 'allowed',
  ExplicitlyDenied: 'explicitDeny',
  ImplicitlyDenied: 'implicitDeny',
};

interface Registered {
  readonly source: SourcedPolicy;
  spans?: StatementSpan[];
}

/** Compiles the sets a simulation needs (one per distinct resource policy and RCP scope), naming each policy. */
class Sets {
  private readonly registry = new Map<string, Registered>();
  private readonly compiled = new Map<string, ReturnType<typeof compilePolicies>>();
  private readonly base: PolicySet;

  constructor(private readonly sim: Simulation) {
    this.base = {
      identityPolicies: sim.identity.map((p, i) => this.name(`identity:${i}`, p)),
      ...(sim.boundary !== undefined ? { permissionsBoundary: this.name('boundary', sim.boundary) } : {}),
      ...(sim.scp !== undefined ? { serviceControlPolicies: this.levels('scp', sim.scp) } : {}),
      ...(sim.managementAccountId !== undefined ? { managementAccountId: sim.managementAccountId } : {}),
    };
  }

  private name(name: string, source: SourcedPolicy): { name: string; document: string } {
    this.registry.set(name, { source });
    return { name, document: source.document };
  }

  private levels(prefix: string, levels: ReadonlyArray<{ target: string; policies: readonly SourcedPolicy[] }>): OrganizationPolicies[] {
    return levels.map((level, i) => ({ target: level.target, policies: level.policies.map((p, j) => this.name(`${prefix}:${i}:${j}`, p)) }));
  }

  setFor(side: ResourceSide): ReturnType<typeof compilePolicies> {
    const key = JSON.stringify([side.policy?.document ?? null, side.rcp ?? null]);
    let set = this.compiled.get(key);
    if (set === undefined) {
      const n = this.compiled.size;
      const rcp = side.rcp?.map((level, i) => ({ target: level.target, policies: level.policies.map((p, j) => this.name(`rcp${n}:${i}:${j}`, { id: rcpId(p), type: 'none', document: documentText(p), disclose: false })) }));
      try {
        set = compilePolicies({
          ...this.base,
          ...(side.policy !== undefined ? { resourcePolicy: this.name(`resource${n}`, side.policy) } : {}),
          ...(rcp !== undefined && rcp.length > 0 ? { resourceControlPolicies: rcp } : {}),
        });
      } catch (error) {
        if (!(error instanceof MalformedPolicyError)) throw error;
        throw this.unevaluable(error);
      }
      this.compiled.set(key, set);
    }
    return set;
  }

  /**
   * PolicyEvaluation, IAM's answer when a policy in scope (a stored one: the request's own were checked already)
   * cannot be evaluated, naming it by its SourcePolicyId rather than by the engine's internal name.
   */
  private unevaluable(error: MalformedPolicyError): ServiceError {
    for (const [name, entry] of this.registry) {
      if (!error.message.startsWith(`${name}: `)) continue;
      const reason = error.message.slice(name.length + 2);
      return new ServiceError('PolicyEvaluation', `The policy ${entry.source.id} could not be evaluated: ${reason}`, 500, 'Receiver');
    }
    return new ServiceError('PolicyEvaluation', `A policy could not be evaluated: ${error.message}`, 500, 'Receiver');
  }

  statement(trace: StatementTrace): Record<string, unknown> | undefined {
    const entry = this.registry.get(trace.policyName);
    if (entry === undefined) return undefined;
    const { source } = entry;
    const base = { SourcePolicyId: source.id, ...(source.type !== undefined ? { SourcePolicyType: source.type } : {}) };
    if (source.disclose === false) return base;
    entry.spans ??= statementSpans(source.document);
    const span = entry.spans[trace.statementIndex];
    return span === undefined ? base : { ...base, ...span };
  }
}

function rcpId(policy: unknown): string {
  return typeof policy === 'object' && policy !== null && typeof (policy as { name?: unknown }).name === 'string' ? (policy as { name: string }).name : 'ResourceControlPolicy';
}

function documentText(policy: unknown): string {
  const inner = typeof policy === 'object' && policy !== null && 'document' in policy ? (policy as { document: unknown }).document : policy;
  return typeof inner === 'string' ? inner : JSON.stringify(inner);
}

interface Decided {
  readonly resource: string;
  readonly account: string;
  readonly result: DecisionResult;
  readonly sets: Sets;
  readonly side: ResourceSide;
}

const matched = (t: StatementTrace, types: readonly string[], effect: 'Allow' | 'Deny'): boolean => t.matched && t.effect === effect && types.includes(t.policyType);

function matchedStatements(d: Decided): Record<string, unknown>[] {
  const decision = d.result.decision;
  if (decision === 'ImplicitlyDenied') return [];
  const effect = decision === 'ExplicitlyDenied' ? 'Deny' : 'Allow';
  // An allow is explained by the statements that granted it, not by the organization's allow-all policies.
  const types = effect === 'Deny' ? ['identity', 'permissionsBoundary', 'session', 'resource', 'scp', 'rcp'] : ['identity', 'permissionsBoundary', 'session', 'resource'];
  const seen = new Set<string>();
  const out: Record<string, unknown>[] = [];
  for (const trace of d.result.explanation?.statements ?? []) {
    const key = `${trace.policyName}#${trace.statementIndex}`;
    if (!matched(trace, types, effect) || seen.has(key)) continue;
    seen.add(key);
    const statement = d.sets.statement(trace);
    if (statement !== undefined) out.push(statement);
  }
  return out;
}

function missingContextValues(d: Decided): string[] {
  const keys = new Map<string, string>();
  for (const trace of d.result.explanation?.statements ?? []) {
    if (!trace.resourceMatched || trace.principalMatched === false) continue;
    for (const condition of trace.conditions) {
      if (condition.requestValues === null && !keys.has(condition.key.toLowerCase())) keys.set(condition.key.toLowerCase(), condition.key);
    }
  }
  return [...keys.values()];
}

function sideDecision(statements: readonly StatementTrace[], types: readonly string[], needed: readonly string[]): EvalDecision {
  if (statements.some((t) => matched(t, types, 'Deny'))) return 'explicitDeny';
  return needed.every((type) => statements.some((t) => matched(t, [type], 'Allow'))) ? 'allowed' : 'implicitDeny';
}

/** Cross-account: each side's own decision. Within one account: empty for a resource ARN, absent for `*`. */
function evalDecisionDetails(sim: Simulation, d: Decided): Record<string, EvalDecision> | undefined {
  if (d.account === sim.principalAccount) return d.resource === '*' ? undefined : {};
  const statements = d.result.explanation?.statements ?? [];
  const identity = ['identity', ...(sim.boundary !== undefined ? ['permissionsBoundary'] : [])];
  return {
    'IAM Policy': sideDecision(statements, ['identity', 'permissionsBoundary', 'session'], identity),
    'Resource Policy': sideDecision(statements, ['resource'], ['resource']),
  };
}

function boundaryDetail(sim: Simulation, d: Decided): Record<string, unknown> {
  if (sim.boundary === undefined) return {};
  const statements = d.result.explanation?.statements ?? [];
  return { PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: sideDecision(statements, ['permissionsBoundary'], ['permissionsBoundary']) === 'allowed' } };
}

/** Whether every SCP level (and RCP level) allowed and none denied, when any binds the request. */
function organizationsDetail(sim: Simulation, d: Decided): Record<string, unknown> {
  const statements = d.result.explanation?.statements ?? [];
  const management = sim.managementAccountId;
  const scpBinds = (sim.scp?.length ?? 0) > 0 && sim.principalAccount !== management;
  const rcpBinds = (d.side.rcp?.length ?? 0) > 0 && d.account !== management;
  if (!scpBinds && !rcpBinds) return {};
  const levelAllows = (type: 'scp' | 'rcp', count: number): boolean => {
    for (let i = 0; i < count; i++) {
      const allowed = statements.some((t) => matched(t, [type], 'Allow') && new RegExp(`^${type}\\d*:${i}:`).test(t.policyName));
      if (!allowed) return false;
    }
    return true;
  };
  const denied = statements.some((t) => matched(t, ['scp', 'rcp'], 'Deny'));
  const allowed = !denied && (!scpBinds || levelAllows('scp', sim.scp?.length ?? 0)) && (!rcpBinds || levelAllows('rcp', d.side.rcp?.length ?? 0));
  return { OrganizationsDecisionDetail: { AllowedByOrganizations: allowed } };
}

function decideOne(sim: Simulation, sets: Sets, action: string, resource: string): Decided {
  const side = sim.resourceSide(action, resource);
  const result = sets.setFor(side).evaluate(
    { principal: sim.principal, action, resource, resourceAccount: side.account, context: sim.context, time: sim.now.toISOString() },
    { explain: true },
  );
  return { resource, account: side.account, result, sets, side };
}

function resourceResult(d: Decided): Record<string, unknown> {
  return {
    EvalResourceName: d.resource,
    EvalResourceDecision: DECISION[d.result.decision],
    MatchedStatements: matchedStatements(d),
    MissingContextValues: missingContextValues(d),
  };
}

/** Statements once each, when several resources matched the same one. */
function unique(statements: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const seen = new Set<string>();
  return statements.filter((s) => {
    const key = JSON.stringify(s);
    return !seen.has(key) && (seen.add(key), true);
  });
}

const RANK: Record<EvalDecision, number> = { allowed: 0, implicitDeny: 1, explicitDeny: 2 };

/** Every EvaluationResult of the simulation, in ActionNames order, then ResourceArns order. */
export function simulate(sim: Simulation): Record<string, unknown>[] {
  const sets = new Sets(sim);
  const results: Record<string, unknown>[] = [];
  const resources = sim.resources.length === 0 ? ['*'] : sim.resources;
  for (const action of sim.actions) {
    if (sim.scenario !== undefined) {
      // The resources of one EC2 request are decided together: the action is allowed only on all of them.
      const all = resources.map((r) => decideOne(sim, sets, action, r));
      const worst = all.reduce((w, d) => (RANK[DECISION[d.result.decision]] > RANK[w] ? DECISION[d.result.decision] : w), 'allowed' as EvalDecision);
      // The statements that decided the whole: every grant when all are allowed, the denials when one is denied.
      const deciding = worst === 'implicitDeny' ? [] : all.filter((d) => DECISION[d.result.decision] === worst);
      const organizations = all.map((d) => organizationsDetail(sim, d)['OrganizationsDecisionDetail'] as { AllowedByOrganizations: boolean } | undefined);
      const bound = organizations.filter((o) => o !== undefined);
      results.push({
        EvalActionName: action,
        EvalResourceName: '*',
        EvalDecision: worst,
        MatchedStatements: unique(deciding.flatMap(matchedStatements)),
        MissingContextValues: [...new Set(all.flatMap(missingContextValues))],
        ...(bound.length > 0 ? { OrganizationsDecisionDetail: { AllowedByOrganizations: bound.every((o) => o.AllowedByOrganizations) } } : {}),
        ResourceSpecificResults: all.map((d) => ({ ...resourceResult(d), ...boundaryDetail(sim, d), ...withDetails(sim, d) })),
      });
      continue;
    }
    for (const resource of resources) {
      const d = decideOne(sim, sets, action, resource);
      const details = evalDecisionDetails(sim, d);
      results.push({
        EvalActionName: action,
        EvalResourceName: resource,
        EvalDecision: DECISION[d.result.decision],
        MatchedStatements: matchedStatements(d),
        MissingContextValues: missingContextValues(d),
        ...organizationsDetail(sim, d),
        ...boundaryDetail(sim, d),
        ...(details !== undefined ? { EvalDecisionDetails: details } : {}),
        ...(sim.resources.length > 0 ? { ResourceSpecificResults: [{ ...resourceResult(d), ...boundaryDetail(sim, d), ...withDetails(sim, d) }] } : {}),
      });
    }
  }
  return results;
}

function withDetails(sim: Simulation, d: Decided): Record<string, unknown> {
  const details = evalDecisionDetails(sim, d);
  return details !== undefined ? { EvalDecisionDetails: details } : {};
}
