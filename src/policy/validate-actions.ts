import type { Statement } from './types.js';
import type { ValidationContext } from './validate-context.js';
import { compileTextGlob } from './wildcard.js';

// Checks Action and NotAction entries against the service catalog, and finds entries that others already cover.

interface ActionEntry {
  readonly index: number;
  readonly text: string;
  /** Lower-cased `prefix:name` of every catalog action the entry matches; undefined when it cannot be known. */
  readonly covers: ReadonlySet<string> | undefined;
}

function hasWildcard(text: string): boolean {
  return text.includes('*') || text.includes('?');
}

/** Edit distance, for the "Did you mean" hint; the lists are short, so the plain algorithm is enough. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function closest(target: string, candidates: readonly string[], limit: number): string | undefined {
  const lower = target.toLowerCase();
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Validates one entry; returns the catalog actions it matches when they are knowable. */
function checkEntry(ctx: ValidationContext, statement: Statement, element: 'Action' | 'NotAction', index: number, text: string): ActionEntry {
  const path = ctx.elementPath(statement, element, index);
  const colon = text.indexOf(':');
  // `*` alone, and malformed entries IAM refuses, are not the catalog's business.
  if (text === '*' || colon <= 0) return { index, text, covers: undefined };
  const prefix = text.slice(0, colon);
  const name = text.slice(colon + 1);
  if (hasWildcard(prefix)) return { index, text, covers: undefined };
  const { catalog } = ctx;
  if (!catalog.hasService(prefix)) {
    ctx.add('INVALID_SERVICE_IN_ACTION', `The service ${prefix} specified in the action does not exist.`, path);
    return { index, text, covers: undefined };
  }
  const names = catalog.actionNames(prefix);
  const qualified = (n: string): string => `${prefix.toLowerCase()}:${n.toLowerCase()}`;
  if (!hasWildcard(name)) {
    if (catalog.hasAction(prefix, name)) return { index, text, covers: new Set([qualified(name)]) };
    const suggestion = closest(name, names, 2);
    const hint = suggestion === undefined ? '' : ` Did you mean ${prefix}:${suggestion}?`;
    ctx.add('INVALID_ACTION', `The action ${text} does not exist.${hint}`, path);
    return { index, text, covers: undefined };
  }
  const matcher = compileTextGlob(name, { ignoreCase: true });
  const matched = names.filter((n) => matcher(n));
  if (matched.length === 0) {
    ctx.add('INVALID_ACTION', `The action ${text} does not match any action of the service ${prefix}.`, path);
    return { index, text, covers: undefined };
  }
  return { index, text, covers: new Set(matched.map(qualified)) };
}

/**
 * An entry is redundant when a single other entry matches everything it matches (Access Analyzer's rule: only
 * entirely covered entries count). Between entries that cover each other, the later one is reported.
 */
function checkRedundant(ctx: ValidationContext, statement: Statement, element: 'Action' | 'NotAction', entries: readonly ActionEntry[]): void {
  for (const entry of entries) {
    if (entry.covers === undefined && entry.text !== '*') continue;
    const redundant = entries.some((other) => {
      if (other === entry) return false;
      if (other.text === '*') return entry.text !== '*' || other.index < entry.index;
      if (entry.text === '*' || other.covers === undefined || entry.covers === undefined) return false;
      const otherCovers = other.covers;
      if (![...entry.covers].every((a) => otherCovers.has(a))) return false;
      return otherCovers.size > entry.covers.size || other.index < entry.index;
    });
    if (redundant) {
      ctx.add(
        'REDUNDANT_ACTION',
        `The action(s) are redundant because they provide similar permissions. Update the policy to remove the redundant action such as: ${entry.text}.`,
        ctx.elementPath(statement, element, entry.index),
      );
    }
  }
}

export function checkActions(ctx: ValidationContext): void {
  for (const statement of ctx.doc.statements) {
    for (const element of ['Action', 'NotAction'] as const) {
      const values = element === 'Action' ? statement.action : statement.notAction;
      if (values === undefined) continue;
      const entries = values.map((text, index) => checkEntry(ctx, statement, element, index, text));
      checkRedundant(ctx, statement, element, entries);
    }
  }
}
