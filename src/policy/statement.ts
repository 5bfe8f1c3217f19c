import { compileCondition, type CompiledCondition } from './conditions/condition.js';
import { compilePrincipal, type CompiledPrincipal } from './principal.js';
import type { PolicyDocument, Statement } from './types.js';
import { parseTemplate, resolveTemplate, type ContextLookup, type Template } from './variables.js';
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
  return (resource, lookup) => {
    const parts = resolveTemplate(template, lookup);
    if (parts === undefined) return false;
    const key = parts.map((p) => (p.wild ? p.value : `\u0000${p.value}\u0000`)).join('');
    let match = cache.get(key);
    if (match === undefined) {
      if (cache.size >= DYNAMIC_CACHE_LIMIT) cache.clear();
      match = compileArnGlob(parts);
      cache.set(key, match);
    }
    return match(resource);
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

export function compileStatement(statement: Statement, document: PolicyDocument): CompiledStatement {
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
    const any = anyOf(resourcePatterns.map((p) => compileResourcePattern(parseTemplate(p, document.version))));
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
    conditions: statement.conditions.map((c) => compileCondition(c, document.version)),
  };
}
