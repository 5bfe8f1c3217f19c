import type { ConditionOutcome } from './conditions/condition.js';
import type { NamingLevel, RequestPrincipal } from './principal.js';
import { compileStatement, type CompiledStatement } from './statement.js';
import type { PolicyDocument, PolicyType } from './types.js';
import type { ContextLookup } from './variables.js';

export interface NamedDocument {
  readonly name: string;
  readonly document: PolicyDocument;
}

export interface StatementRef {
  readonly policyName: string;
  readonly compiled: CompiledStatement;
  /** Position across the whole list, so merged index buckets keep document order. */
  readonly order: number;
}

/** What one request presents to the statements. */
export interface ScanInput {
  readonly actionLower: string;
  readonly resource: string;
  readonly principal: RequestPrincipal;
  readonly lookup: ContextLookup;
}

export interface StatementTrace {
  readonly policyType: PolicyType;
  readonly policyName: string;
  readonly sid?: string;
  readonly statementIndex: number;
  readonly effect: 'Allow' | 'Deny';
  readonly matched: boolean;
  readonly resourceMatched: boolean;
  readonly principalMatched?: boolean;
  readonly conditions: readonly ConditionOutcome[];
}

export interface ScanResult {
  readonly deny: StatementRef | undefined;
  readonly allow: StatementRef | undefined;
  /** For resource policies: how specifically the strongest matching Allow named the caller. */
  readonly allowLevel: NamingLevel | undefined;
}

const LEVEL_RANK: Record<NamingLevel, number> = { account: 1, role: 2, direct: 3, any: 3 };
const CANDIDATE_CACHE_LIMIT = 4096;

/**
 * The statements of one policy type (all identity policies together, one SCP level…), indexed by service so that a
 * decision looks only at statements whose Action can match; the per-action candidate lists are memoised.
 */
export class PolicyList {
  private readonly byService = new Map<string, StatementRef[]>();
  private readonly anyService: StatementRef[] = [];
  private readonly candidateCache = new Map<string, readonly StatementRef[]>();
  readonly size: number;

  constructor(
    readonly type: PolicyType,
    readonly policies: readonly NamedDocument[],
  ) {
    let order = 0;
    for (const { name, document } of policies) {
      for (const statement of document.statements) {
        const ref: StatementRef = { policyName: name, compiled: compileStatement(statement, document), order: order++ };
        const services = ref.compiled.services;
        if (services === undefined) this.anyService.push(ref);
        else {
          for (const service of services) {
            let bucket = this.byService.get(service);
            if (bucket === undefined) this.byService.set(service, (bucket = []));
            bucket.push(ref);
          }
        }
      }
    }
    this.size = order;
  }

  /** Statements whose Action/NotAction covers the action, in document order. */
  candidates(actionLower: string): readonly StatementRef[] {
    const cached = this.candidateCache.get(actionLower);
    if (cached !== undefined) return cached;
    const colon = actionLower.indexOf(':');
    const service = colon === -1 ? actionLower : actionLower.slice(0, colon);
    const pool = [...(this.byService.get(service) ?? []), ...this.anyService];
    const seen = new Set<number>();
    const result = pool
      .filter((ref) => !seen.has(ref.order) && (seen.add(ref.order), ref.compiled.matchesAction(actionLower)))
      .sort((a, b) => a.order - b.order);
    if (this.candidateCache.size >= CANDIDATE_CACHE_LIMIT) this.candidateCache.clear();
    this.candidateCache.set(actionLower, result);
    return result;
  }

  /**
   * Finds the first matching Deny and the strongest matching Allow. Without a trace it stops as soon as the answer
   * cannot change; with one it visits every candidate so the explanation can name them all.
   */
  scan(input: ScanInput, trace?: StatementTrace[]): ScanResult {
    let deny: StatementRef | undefined;
    let allow: StatementRef | undefined;
    let allowLevel: NamingLevel | undefined;
    for (const ref of this.candidates(input.actionLower)) {
      const effect = ref.compiled.statement.effect;
      if (trace === undefined) {
        if (effect === 'Allow' && allowLevel !== undefined && LEVEL_RANK[allowLevel] === 3) continue;
        const level = matchStatement(ref.compiled, input);
        if (level === undefined) continue;
        if (effect === 'Deny') return { deny: ref, allow, allowLevel };
        if (allowLevel === undefined || LEVEL_RANK[level] > LEVEL_RANK[allowLevel]) {
          allow = ref;
          allowLevel = level;
        }
        continue;
      }
      const detail = traceStatement(ref, input, this.type);
      trace.push(detail.trace);
      if (detail.level === undefined) continue;
      if (effect === 'Deny') deny ??= ref;
      else if (allowLevel === undefined || LEVEL_RANK[detail.level] > LEVEL_RANK[allowLevel]) {
        allow = ref;
        allowLevel = detail.level;
      }
    }
    return { deny, allow, allowLevel };
  }
}

function principalLevel(compiled: CompiledStatement, principal: RequestPrincipal): NamingLevel | undefined {
  if (compiled.principal !== undefined) return compiled.principal.match(principal);
  if (compiled.notPrincipal !== undefined) return compiled.notPrincipal.coversAll(principal) ? undefined : 'any';
  return 'any';
}

/** The naming level when the statement applies to the request, undefined when it does not. */
function matchStatement(compiled: CompiledStatement, input: ScanInput): NamingLevel | undefined {
  if (!compiled.matchesResource(input.resource, input.lookup)) return undefined;
  const level = principalLevel(compiled, input.principal);
  if (level === undefined) return undefined;
  for (const condition of compiled.conditions) if (!condition.test(input.lookup)) return undefined;
  return level;
}

function traceStatement(ref: StatementRef, input: ScanInput, policyType: PolicyType): { level: NamingLevel | undefined; trace: StatementTrace } {
  const { compiled } = ref;
  const resourceMatched = compiled.matchesResource(input.resource, input.lookup);
  const hasPrincipal = compiled.principal !== undefined || compiled.notPrincipal !== undefined;
  const level = principalLevel(compiled, input.principal);
  const conditions = compiled.conditions.map((c) => c.explain(input.lookup));
  const matched = resourceMatched && level !== undefined && conditions.every((c) => c.result);
  const statement = compiled.statement;
  return {
    level: matched ? level : undefined,
    trace: {
      policyType,
      policyName: ref.policyName,
      ...(statement.sid !== undefined ? { sid: statement.sid } : {}),
      statementIndex: statement.index,
      effect: statement.effect,
      matched,
      resourceMatched,
      ...(hasPrincipal ? { principalMatched: level !== undefined } : {}),
      conditions,
    },
  };
}
