import type { PolicyVersion } from './types.js';

/**
 * A policy value split around `${...}` references. `text` parts come from the author and keep their wildcard
 * meaning; `literal` parts (from `${*}`, `${?}`, `${$}`) never act as wildcards; `variable` parts are looked up in
 * the request context at evaluation time and their value is literal too, so a user named `*` cannot widen a match.
 */
export type TemplatePart =
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'variable'; readonly key: string; readonly keyLower: string; readonly fallback?: string };

export interface Template {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
  /** True when at least one part needs the request context. */
  readonly dynamic: boolean;
}

/** A resolved piece: `wild` tells whether `*`/`?` in it keep their wildcard meaning. */
export interface ResolvedPart {
  readonly value: string;
  readonly wild: boolean;
}

/** Looks a context key up by its lower-cased name; undefined when absent. */
export type ContextLookup = (keyLower: string) => readonly string[] | undefined;

const ESCAPES: Record<string, string> = { '*': '*', '?': '?', $: '$' };
const WITH_DEFAULT = /^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$/;

/**
 * The next `${…}` at or after `from`: a `${` and the first `}` after it, which is what /\$\{[^}]*\}/g finds, but
 * in linear time: that regular expression rescans the rest of the text from every unclosed `${`.
 */
export function nextReference(source: string, from: number): { readonly at: number; readonly end: number; readonly body: string } | undefined {
  const at = source.indexOf('${', from);
  if (at === -1) return undefined;
  const close = source.indexOf('}', at + 2);
  // No `}` after this `${` means none after any later one either.
  return close === -1 ? undefined : { at, end: close + 1, body: source.slice(at + 2, close) };
}

export function parseTemplate(source: string, version: PolicyVersion | undefined): Template {
  // Variables arrived with the 2012-10-17 grammar; earlier documents read `${...}` as plain text.
  if (version !== '2012-10-17' || !source.includes('${')) {
    return { source, parts: [{ kind: 'text', value: source }], dynamic: false };
  }
  const parts: TemplatePart[] = [];
  let last = 0;
  let dynamic = false;
  for (let ref = nextReference(source, 0); ref !== undefined; ref = nextReference(source, ref.end)) {
    const at = ref.at;
    if (at > last) parts.push({ kind: 'text', value: source.slice(last, at) });
    last = ref.end;
    const body = ref.body.trim();
    const escaped = ESCAPES[body];
    if (escaped !== undefined) {
      parts.push({ kind: 'literal', value: escaped });
      continue;
    }
    dynamic = true;
    const withDefault = WITH_DEFAULT.exec(body);
    if (withDefault) {
      const key = withDefault[1] ?? '';
      parts.push({ kind: 'variable', key, keyLower: key.toLowerCase(), fallback: withDefault[2] ?? '' });
    } else {
      parts.push({ kind: 'variable', key: body, keyLower: body.toLowerCase() });
    }
  }
  if (last < source.length) parts.push({ kind: 'text', value: source.slice(last) });
  return { source, parts, dynamic };
}

/**
 * Substitutes the variables. Returns undefined when a variable's key is missing (or multi-valued) and it has no
 * default: AWS then treats the value as not matching.
 */
export function resolveTemplate(template: Template, lookup: ContextLookup): ResolvedPart[] | undefined {
  const out: ResolvedPart[] = [];
  for (const part of template.parts) {
    if (part.kind === 'text') out.push({ value: part.value, wild: true });
    else if (part.kind === 'literal') out.push({ value: part.value, wild: false });
    else {
      const values = lookup(part.keyLower);
      if (values !== undefined && values.length === 1) out.push({ value: values[0] as string, wild: false });
      else if (part.fallback !== undefined) out.push({ value: part.fallback, wild: false });
      else return undefined;
    }
  }
  return out;
}

/** The plain text of a resolved value, wildcards and all, for operators that do not interpret wildcards. */
export function joinParts(parts: readonly ResolvedPart[]): string {
  return parts.length === 1 ? (parts[0] as ResolvedPart).value : parts.map((p) => p.value).join('');
}

/** Resolves a template to plain text (undefined when a variable is missing). */
export function resolveText(template: Template, lookup: ContextLookup): string | undefined {
  if (!template.dynamic) return joinParts(template.parts.map((p) => ({ value: (p as { value: string }).value, wild: true })));
  const parts = resolveTemplate(template, lookup);
  return parts === undefined ? undefined : joinParts(parts);
}

/**
 * A string that identifies the template's resolution for this request (literal pieces fenced by NUL, which no
 * policy text contains), without building the parts: cheap enough to key a cache of compiled matchers.
 */
export function resolutionKey(template: Template, lookup: ContextLookup): string | undefined {
  let key = '';
  for (const part of template.parts) {
    if (part.kind === 'text') key += part.value;
    else if (part.kind === 'literal') key += `\u0000${part.value}\u0000`;
    else {
      const values = lookup(part.keyLower);
      if (values !== undefined && values.length === 1) key += `\u0000${values[0] as string}\u0000`;
      else if (part.fallback !== undefined) key += `\u0000${part.fallback}\u0000`;
      else return undefined;
    }
  }
  return key;
}
