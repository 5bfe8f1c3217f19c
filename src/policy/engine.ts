import type { DecisionRequest } from './context.js';
import { decide, PrincipalCache, type CompiledLists, type DecisionResult } from './decide.js';
import { MalformedPolicyError } from './errors.js';
import type { OrganizationLevel } from './evaluate-organization.js';
import { parsePolicy } from './parse.js';
import { PolicyList, type NamedDocument } from './policy-list.js';
import { MatcherPool } from './statement.js';
import type { PolicyType } from './types.js';

/** A policy document (JSON text or decoded), or one wrapped with the name the explanation should use for it. */
export type PolicyInput = unknown;

export interface OrganizationPolicies {
  /** The root, an OU or the account the policies are attached to. */
  readonly target: string;
  readonly policies: readonly PolicyInput[];
}

/** Every policy in scope for a principal and a resource. */
export interface PolicySet {
  readonly identityPolicies?: readonly PolicyInput[];
  readonly permissionsBoundary?: PolicyInput | null;
  readonly sessionPolicy?: PolicyInput | null;
  /**
   * Scope-down policies on top of everything else (GetScopedCredentials' layers, a delegated session's permissions):
   * each must allow the request as well, whatever grants it, even a resource policy naming the session, and for
   * every principal, the root user included. They are evaluated as session policies.
   */
  readonly limitingPolicies?: readonly PolicyInput[];
  readonly resourcePolicy?: PolicyInput | null;
  /** One entry per level, root first. */
  readonly serviceControlPolicies?: readonly OrganizationPolicies[];
  readonly resourceControlPolicies?: readonly OrganizationPolicies[];
  /** The organization's management account, which SCPs and RCPs do not restrict. */
  readonly managementAccountId?: string;
}

export interface EvaluateOptions {
  readonly explain?: boolean;
}

export interface CompiledPolicySet {
  evaluate(request: DecisionRequest, options?: EvaluateOptions): DecisionResult;
  /** Number of statements in scope, across all policy types. */
  readonly statementCount: number;
}

function isWrapped(value: unknown): value is { name?: unknown; document: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'document' in value && !('Statement' in value);
}

function named(input: PolicyInput, fallback: string): NamedDocument {
  const wrapped = isWrapped(input);
  const name = wrapped && typeof input.name === 'string' ? input.name : fallback;
  try {
    return { name, document: parsePolicy(wrapped ? input.document : input) };
  } catch (error) {
    if (error instanceof MalformedPolicyError) throw new MalformedPolicyError(`${name}: ${error.message}`, error.path);
    throw error;
  }
}

function list(pool: MatcherPool, type: PolicyType, inputs: readonly PolicyInput[], label: string): PolicyList | undefined {
  return inputs.length === 0 ? undefined : new PolicyList(type, inputs.map((p, i) => named(p, `${label}[${i}]`)), pool);
}

function single(pool: MatcherPool, type: PolicyType, input: PolicyInput | null | undefined, label: string): PolicyList | undefined {
  return input === undefined || input === null ? undefined : new PolicyList(type, [named(input, label)], pool);
}

function levels(
  pool: MatcherPool,
  type: 'scp' | 'rcp',
  input: readonly OrganizationPolicies[] | undefined,
  label: string,
): OrganizationLevel[] {
  return (input ?? []).map((level, i) => ({
    target: level.target,
    list: new PolicyList(type, level.policies.map((p, j) => named(p, `${label}[${i}].${level.target}[${j}]`)), pool),
  }));
}

/**
 * Parses and compiles a policy set once; `evaluate` then does no parsing. Throws MalformedPolicyError (with IAM's
 * message, prefixed by the policy's name) when a document is not valid policy grammar.
 */
export function compilePolicies(set: PolicySet): CompiledPolicySet {
  const pool = new MatcherPool();
  const lists: CompiledLists = {
    identity: list(pool, 'identity', set.identityPolicies ?? [], 'identityPolicies'),
    boundary: single(pool, 'permissionsBoundary', set.permissionsBoundary, 'permissionsBoundary'),
    session: single(pool, 'session', set.sessionPolicy, 'sessionPolicy'),
    limits: (set.limitingPolicies ?? []).map((p, i) => new PolicyList('session', [named(p, `limitingPolicies[${i}]`)], pool)),
    resource: single(pool, 'resource', set.resourcePolicy, 'resourcePolicy'),
    scp: levels(pool, 'scp', set.serviceControlPolicies, 'serviceControlPolicies'),
    rcp: levels(pool, 'rcp', set.resourceControlPolicies, 'resourceControlPolicies'),
    managementAccountId: set.managementAccountId,
  };
  const all = [lists.identity, lists.boundary, lists.session, lists.resource, ...lists.limits, ...lists.scp.map((l) => l.list), ...lists.rcp.map((l) => l.list)];
  const statementCount = all.reduce((n, l) => n + (l?.size ?? 0), 0);
  const principals = new PrincipalCache();
  return {
    statementCount,
    evaluate: (request, options) => decide(lists, principals, request, options?.explain === true),
  };
}
