import type { ConditionOutcome } from './conditions/condition.js';
import type { NamingLevel, RequestPrincipal } from './principal.js';
import { compileStatement, type CompiledStatement, type MatcherPool } from './statement.js';
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
  /** Whether the principal has a permissions boundary (a Deny with NotPrincipal then exempts no one). */
  readonly hasBoundary: boolean;
}

export interface StatementTrace {
  readonly policyType: PolicyType;
  readonly policyName: string;
  readonly sid?: string;
  readonly statementIndex: number;
  readonly effect: 'Allow' | 'Deny';
  readonly matched: boolean;
  readonly resourceMatched: boolean;
  /** The statement's resource patterns with policy variables substituted, when it has variables. */
  readonly resolvedResources?: readonly (string | null)[];
  readonly principalMatched?: boolean;
  readonly conditions: readonly ConditionOutcome[];
}

export interface ScanResult {
  readonly deny: StatementRef | undefined;
  readonly allow: StatementRef | undefined;
  /** For resource policies: how specifically the strongest matching Allow named the caller. */
  readonly allowLevel: NamingLevel | undefined;
}

/**
 * Candidates of one action grouped by the literal beginning of their Resource patterns: a request visits only the
 * statements whose prefix its resource starts with (one hash lookup per distinct prefix length), plus those that
 * may match any resource. Worth it only for long candidate lists.
 */
class ResourceIndex {
  private readonly always: StatementRef[] = [];
  private readonly byLength = new Map<number, Map<string, StatementRef[]>>();
  private readonly lengths: number[];

  constructor(refs: readonly StatementRef[]) {
    for (const ref of refs) {
      const prefixes = ref.compiled.resourcePrefixes;
      if (prefixes === undefined) {
        this.always.push(ref);
        continue;
      }
      for (const prefix of prefixes) {
        let buckets = this.byLength.get(prefix.length);
        if (buckets === undefined) this.byLength.set(prefix.length, (buckets = new Map()));
        let bucket = buckets.get(prefix);
        if (bucket === undefined) buckets.set(prefix, (bucket = []));
        bucket.push(ref);
      }
    }
    this.lengths = [...this.byLength.keys()].sort((a, b) => a - b);
  }

  /** Shows the state each statement that may match; stops when it reports the answer settled. */
  some(resource: string, state: { visit(ref: StatementRef): boolean }): void {
    for (const ref of this.always) if (state.visit(ref)) return;
    for (const length of this.lengths) {
      if (length > resource.length) return;
      const bucket = this.byLength.get(length)?.get(resource.slice(0, length));
      if (bucket !== undefined) for (const ref of bucket) if (state.visit(ref)) return;
    }
  }
}

interface Candidates {
  /** Every candidate in document order, for explanations. */
  readonly all: readonly StatementRef[];
  /** One candidate per signature, for decisions. */
  readonly distinct: readonly StatementRef[];
  readonly index: ResourceIndex | undefined;
}

const INDEX_THRESHOLD = 16;

const LEVEL_RANK: Record<NamingLevel, number> = { account: 1, role: 2, direct: 3, any: 3 };
const CANDIDATE_CACHE_LIMIT = 4096;

/**
 * The statements of one policy type (all identity policies together, one SCP level…), indexed by service so that a
 * decision looks only at statements whose Action can match; the per-action candidate lists are memoised.
 */
export class PolicyList {
  private readonly byService = new Map<string, StatementRef[]>();
  private readonly anyService: StatementRef[] = [];
  private readonly candidateCache = new Map<string, Candidates>();
  readonly size: number;

  constructor(
    readonly type: PolicyType,
    readonly policies: readonly NamedDocument[],
    pool: MatcherPool,
  ) {
    let order = 0;
    for (const { name, document } of policies) {
      for (const statement of document.statements) {
        const ref: StatementRef = { policyName: name, compiled: compileStatement(statement, document, pool), order: order++ };
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
    return this.candidatesOf(actionLower).all;
  }

  private candidatesOf(actionLower: string): Candidates {
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
    const signatures = new Set<string>();
    const distinct = result.filter((ref) => !signatures.has(ref.compiled.signature) && (signatures.add(ref.compiled.signature), true));
    const index = distinct.length > INDEX_THRESHOLD ? new ResourceIndex(distinct) : undefined;
    const candidates: Candidates = { all: result, distinct, index };
    this.candidateCache.set(actionLower, candidates);
    return candidates;
  }

  /**
   * Finds the first matching Deny and the strongest matching Allow. Without a trace it stops as soon as the answer
   * cannot change; with one it visits every candidate so the explanation can name them all.
   */
  scan(input: ScanInput, trace?: StatementTrace[]): ScanResult {
    const candidates = this.candidatesOf(input.actionLower);
    if (trace !== undefined) return this.scanTraced(candidates.all, input, trace);
    const state = new ScanState(input, this.type);
    if (candidates.index !== undefined) candidates.index.some(input.resource, state);
    else for (const ref of candidates.distinct) if (state.visit(ref)) break;
    return state;
  }

  /** Visits every candidate in document order so that the explanation can name them all. */
  private scanTraced(refs: readonly StatementRef[], input: ScanInput, trace: StatementTrace[]): ScanResult {
    let deny: StatementRef | undefined;
    let allow: StatementRef | undefined;
    let allowLevel: NamingLevel | undefined;
    for (const ref of refs) {
      const detail = traceStatement(ref, input, this.type);
      trace.push(detail.trace);
      if (detail.level === undefined) continue;
      if (ref.compiled.statement.effect === 'Deny') deny ??= ref;
      else if (allowLevel === undefined || LEVEL_RANK[detail.level] > LEVEL_RANK[allowLevel]) {
        allow = ref;
        allowLevel = detail.level;
      }
    }
    return { deny, allow, allowLevel };
  }
}

/** The running answer of one scan; `visit` returns true once a Deny has settled it. */
class ScanState implements ScanResult {
  deny: StatementRef | undefined = undefined;
  allow: StatementRef | undefined = undefined;
  allowLevel: NamingLevel | undefined = undefined;

  constructor(
    private readonly input: ScanInput,
    private readonly policyType: PolicyType,
  ) {}

  visit(ref: StatementRef): boolean {
    const effect = ref.compiled.statement.effect;
    // Once an Allow has named the caller as strongly as possible, further Allows cannot change the answer.
    if (effect === 'Allow' && this.allowLevel !== undefined && LEVEL_RANK[this.allowLevel] === 3) return false;
    const level = matchStatement(ref.compiled, this.input, this.policyType);
    if (level === undefined) return false;
    if (effect === 'Deny') {
      this.deny = ref;
      return true;
    }
    if (this.allowLevel === undefined || LEVEL_RANK[level] > LEVEL_RANK[this.allowLevel]) {
      this.allow = ref;
      this.allowLevel = level;
    }
    return false;
  }
}

function principalLevel(compiled: CompiledStatement, input: ScanInput, policyType: PolicyType): NamingLevel | undefined {
  if (compiled.principal !== undefined) return compiled.principal.match(input.principal);
  if (compiled.notPrincipal !== undefined) {
    if (compiled.statement.effect === 'Allow') {
      // AWS supports NotPrincipal with Deny only; an Allow some service still stored "allows all principals except
      // the one named": not the caller named, nor a session whose role is named, even without the account's ARN.
      return compiled.notPrincipal.namesCaller(input.principal) ? undefined : 'any';
    }
    // The permissions boundary guide: a Deny with NotPrincipal always denies a principal that has a boundary.
    if (input.hasBoundary) return 'any';
    return compiled.notPrincipal.coversAll(input.principal) ? undefined : 'any';
  }
  // A resource-based policy grants and denies only the principals it names: a statement that names none applies to
  // nobody. Identity policies, boundaries, session policies and SCPs apply to their principal without naming it.
  return policyType === 'resource' ? undefined : 'any';
}

/** The naming level when the statement applies to the request, undefined when it does not. */
function matchStatement(compiled: CompiledStatement, input: ScanInput, policyType: PolicyType): NamingLevel | undefined {
  if (!compiled.matchesResource(input.resource, input.lookup)) return undefined;
  const level = principalLevel(compiled, input, policyType);
  if (level === undefined) return undefined;
  for (const condition of compiled.conditions) if (!condition.test(input.lookup)) return undefined;
  return level;
}

function traceStatement(ref: StatementRef, input: ScanInput, policyType: PolicyType): { level: NamingLevel | undefined; trace: StatementTrace } {
  const { compiled } = ref;
  const resourceMatched = compiled.matchesResource(input.resource, input.lookup);
  const resolved = compiled.resolvedResources(input.lookup);
  const hasPrincipal = compiled.principal !== undefined || compiled.notPrincipal !== undefined || policyType === 'resource';
  const level = principalLevel(compiled, input, policyType);
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
      ...(resolved !== undefined ? { resolvedResources: resolved } : {}),
      ...(hasPrincipal ? { principalMatched: level !== undefined } : {}),
      conditions,
    },
  };
}
