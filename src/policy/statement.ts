import { compileCondition, type CompiledCondition } from './conditions/condition.js';
import { compilePrincipal, type CompiledPrincipal } from './principal.js';
import type { PolicyDocument, Statement } from './types.js';
import { parseTemplate, resolutionKey, resolveTemplate, resolveText, type ContextLookup, type Template } from './variables.js';
import { compileArnGlob, compileTextGlob, type Matcher } from './wildcard.js';

/** A statement turned into matchers once, so that evaluating it does no parsing. */
export interface CompiledStatement {
  readonly statement: Statement;
  /** Services (lower case) the statement can apply to; undefined when any service. */
  readonly services: ReadonlySet<string> | undefined;
  matchesAction(actionLower: string): boolean;
  matchesResource(resource: string, lookup: ContextLookup): boolean;
  /**
   * Literal beginnings that every resource this statement matches starts with (one per Resource pattern), or
   * undefined when it may match any resource. Lets large policy sets skip statements about other resources.
   */
  readonly resourcePrefixes: readonly string[] | undefined;
  readonly principal: CompiledPrincipal | undefined;
  readonly notPrincipal: CompiledPrincipal | undefined;
  readonly conditions: readonly CompiledCondition[];
  /** For explanations: the Resource/NotResource patterns after variable substitution (null where a key is missing). */
  resolvedResources(lookup: ContextLookup): readonly (string | null)[] | undefined;
  /**
   * Everything but the actions, as text: two candidates of one action with the same signature decide alike, so a
   * decision needs to test only one of them.
   */
  readonly signature: string;
}

type ResourceMatcher = (resource: string, lookup: ContextLookup) => boolean;

const DYNAMIC_CACHE_LIMIT = 256;

function compileResourcePattern(template: Template): ResourceMatcher {
  if (!template.dynamic) {
    const match = compileArnGlob(template.parts.map((p) => ({ value: (p as { value: string }).value, wild: p.kind === 'text' })));
    return (resource) => match(resource);
  }
  // A pattern with variables differs per caller, not per request: keep the few recent ones compiled.
  const cache = new Map<string, Matcher>();
  let lastKey: string | undefined;
  let lastMatch: Matcher = () => false;
  return (resource, lookup) => {
    const key = resolutionKey(template, lookup);
    if (key === undefined) return false;
    if (key !== lastKey) {
      let match = cache.get(key);
      if (match === undefined) {
        if (cache.size >= DYNAMIC_CACHE_LIMIT) cache.clear();
        match = compileArnGlob(resolveTemplate(template, lookup) ?? []);
        cache.set(key, match);
      }
      lastKey = key;
      lastMatch = match;
    }
    return lastMatch(resource);
  };
}

function anyOf(matchers: ResourceMatcher[]): ResourceMatcher {
  if (matchers.length === 1) return matchers[0] as ResourceMatcher;
  return (resource, lookup) => {
    for (const m of matchers) if (m(resource, lookup)) return true;
    return false;
  };
}

function servicesOf(patterns: readonly string[]): ReadonlySet<string> | undefined {
  const services = new Set<string>();
  for (const pattern of patterns) {
    const colon = pattern.indexOf(':');
    const service = colon === -1 ? pattern : pattern.slice(0, colon);
    if (colon === -1 || service.includes('*') || service.includes('?')) return undefined;
    services.add(service.toLowerCase());
  }
  return services;
}

function literalPrefix(pattern: string): string {
  let end = pattern.length;
  for (const stop of ['*', '?', '${']) {
    const at = pattern.indexOf(stop);
    if (at !== -1 && at < end) end = at;
  }
  return pattern.slice(0, end);
}

function prefixesOf(statement: Statement): readonly string[] | undefined {
  if (statement.resource === undefined) return undefined;
  const prefixes = statement.resource.map(literalPrefix);
  return prefixes.includes('') ? undefined : [...new Set(prefixes)];
}

/**
 * Compiled resource patterns and conditions shared by every statement of a policy set that spells them the same
 * way, each remembering its last answer for the request in hand: large sets repeat the same few resources and
 * conditions, and a decision then pays for each distinct one once.
 */
export class MatcherPool {
  private readonly resources = new Map<string, ResourceMatcher>();
  private readonly conditions = new Map<string, CompiledCondition>();

  resource(pattern: string, version: PolicyDocument['version']): ResourceMatcher {
    const key = `${version ?? ''}|${pattern}`;
    let matcher = this.resources.get(key);
    if (matcher === undefined) {
      const template = parseTemplate(pattern, version);
      const match = compileResourcePattern(template);
      // A plain ARN compares faster than the memo below could answer.
      if (!template.dynamic && !pattern.includes('*') && !pattern.includes('?')) {
        this.resources.set(key, match);
        return match;
      }
      let lastLookup: ContextLookup | undefined;
      let lastResource: string | undefined;
      let lastResult = false;
      matcher = (resource, lookup) => {
        if (lookup === lastLookup && resource === lastResource) return lastResult;
        lastResult = match(resource, lookup);
        lastLookup = lookup;
        lastResource = resource;
        return lastResult;
      };
      this.resources.set(key, matcher);
    }
    return matcher;
  }

  condition(clause: Statement['conditions'][number], version: PolicyDocument['version']): CompiledCondition {
    const key = JSON.stringify([version ?? '', clause.operator, clause.key.toLowerCase(), clause.values]);
    let condition = this.conditions.get(key);
    if (condition === undefined) {
      const compiled = compileCondition(clause, version);
      let lastLookup: ContextLookup | undefined;
      let lastResult = false;
      condition = {
        clause: compiled.clause,
        explain: compiled.explain,
        test: (lookup) => {
          if (lookup !== lastLookup) {
            lastResult = compiled.test(lookup);
            lastLookup = lookup;
          }
          return lastResult;
        },
      };
      this.conditions.set(key, condition);
    }
    return condition;
  }
}

export function compileStatement(statement: Statement, document: PolicyDocument, pool: MatcherPool): CompiledStatement {
  const actionPatterns = (statement.action ?? statement.notAction ?? []).map((p) => compileTextGlob(p.toLowerCase()));
  const negateAction = statement.action === undefined;
  const matchesAction = (actionLower: string): boolean => {
    let hit = false;
    for (const m of actionPatterns) {
      if (m(actionLower)) {
        hit = true;
        break;
      }
    }
    return negateAction ? !hit : hit;
  };

  const resourcePatterns = statement.resource ?? statement.notResource;
  let matchesResource: ResourceMatcher;
  if (resourcePatterns === undefined) {
    // Trust policies and some resource policies have no Resource element: the statement covers the policy's resource.
    matchesResource = () => true;
  } else {
    const any = anyOf(resourcePatterns.map((p) => pool.resource(p, document.version)));
    matchesResource = statement.resource !== undefined ? any : (resource, lookup) => !any(resource, lookup);
  }

  return {
    statement,
    services: statement.action !== undefined ? servicesOf(statement.action) : undefined,
    matchesAction,
    matchesResource,
    resourcePrefixes: prefixesOf(statement),
    principal: statement.principal === undefined ? undefined : compilePrincipal(statement.principal),
    notPrincipal: statement.notPrincipal === undefined ? undefined : compilePrincipal(statement.notPrincipal),
    conditions: statement.conditions.map((c) => pool.condition(c, document.version)),
    resolvedResources: (lookup) => {
      if (resourcePatterns === undefined || !resourcePatterns.some((p) => p.includes('${'))) return undefined;
      return resourcePatterns.map((p) => resolveText(parseTemplate(p, document.version), lookup) ?? null);
    },
    signature: JSON.stringify([
      statement.effect,
      document.version ?? '',
      statement.resource ?? null,
      statement.notResource ?? null,
      statement.principal ?? null,
      statement.notPrincipal ?? null,
      statement.conditions.map((c) => [c.operator.toLowerCase(), c.key.toLowerCase(), c.values]),
    ]),
  };
}
