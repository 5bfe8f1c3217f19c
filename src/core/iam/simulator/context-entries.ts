// The simulators' ContextEntries, checked against their ContextKeyType and turned into the engine's request context;
// and the context keys a set of policies reads (GetContextKeysFor…Policy, MissingContextValues).
import { isIP } from 'node:net';
import type { PolicyDocument } from '../../../policy/types.js';
import { parseTemplate } from '../../../policy/variables.js';
import { invalidInput } from '../../errors.js';

export interface ContextEntry {
  readonly ContextKeyName?: string;
  readonly ContextKeyValues?: readonly string[];
  readonly ContextKeyType?: string;
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// ISO 8601 as the Date condition operators read it (a date, or a date and time), or seconds since the epoch.
const DATE = /^(?:\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?|\d+)$/;

function ipValue(value: string): boolean {
  const slash = value.indexOf('/');
  const address = slash === -1 ? value : value.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return false;
  if (slash === -1) return true;
  const bits = value.slice(slash + 1);
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

const CHECKS: Readonly<Record<string, (value: string) => boolean>> = {
  string: () => true,
  numeric: (v) => NUMERIC.test(v),
  boolean: (v) => /^(?:true|false)$/i.test(v),
  ip: ipValue,
  binary: (v) => BASE64.test(v),
  date: (v) => DATE.test(v) && (/^\d+$/.test(v) || !Number.isNaN(Date.parse(v))),
};

/**
 * The request context the entries describe, keyed by name as given (the engine folds case). A null-prototype
 * object: a client's `__proto__` or `constructor` key is a key like any other. A later entry for the same key (in
 * any case) replaces an earlier one.
 */
export function contextOfEntries(entries: readonly ContextEntry[]): Record<string, string[]> {
  const context: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  const names = new Map<string, string>();
  for (const entry of entries) {
    const name = entry.ContextKeyName;
    if (name === undefined) throw invalidInput('ContextKeyName is required in each ContextEntries member.');
    const type = entry.ContextKeyType ?? 'string';
    const values = [...(entry.ContextKeyValues ?? [])];
    const single = !type.endsWith('List');
    const check = CHECKS[single ? type : type.slice(0, -'List'.length)];
    if (check === undefined) throw invalidInput(`Invalid ContextKeyType ${type} for context key ${name}.`);
    if (single && values.length > 1) throw invalidInput(`Context key ${name} of type ${type} accepts a single value, but ${values.length} were given.`);
    for (const value of values) {
      if (!check(value)) throw invalidInput(`Invalid value ${JSON.stringify(value.slice(0, 64))} for context key ${name} of type ${type}.`);
    }
    const lower = name.toLowerCase();
    const previous = names.get(lower);
    if (previous !== undefined) delete context[previous];
    names.set(lower, name);
    context[name] = values;
  }
  return context;
}

/**
 * The context keys a document reads: its condition keys and the variables of its Resource, NotResource and condition
 * values, in document order, each once (compared without case, first spelling kept).
 */
export function contextKeysOf(documents: readonly PolicyDocument[]): string[] {
  const seen = new Map<string, string>();
  const add = (key: string): void => {
    const lower = key.toLowerCase();
    if (!seen.has(lower)) seen.set(lower, key);
  };
  const variables = (text: string, version: PolicyDocument['version']): void => {
    for (const part of parseTemplate(text, version).parts) if (part.kind === 'variable') add(part.key);
  };
  for (const document of documents) {
    for (const statement of document.statements) {
      for (const text of [...(statement.resource ?? []), ...(statement.notResource ?? [])]) variables(text, document.version);
      for (const condition of statement.conditions) {
        add(condition.key);
        for (const value of condition.values) variables(value, document.version);
      }
    }
  }
  return [...seen.values()];
}
