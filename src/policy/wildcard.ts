import type { ResolvedPart } from './variables.js';

export type Matcher = (value: string) => boolean;

export interface GlobOptions {
  /** Actions and *IgnoreCase operators fold case; resources, ARNs and StringLike do not. */
  readonly ignoreCase?: boolean;
}

const REGEX_SPECIAL = /[.+^${}()|[\]\\*?]/g;

function escapeRegex(text: string): string {
  return text.replace(REGEX_SPECIAL, '\\$&');
}

function always(): boolean {
  return true;
}

/** `*` is any run of characters, `?` exactly one, in the `wild` parts; everything else is literal. */
export function compileGlob(parts: readonly ResolvedPart[], options: GlobOptions = {}): Matcher {
  const ignoreCase = options.ignoreCase === true;
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only !== undefined && only.wild) {
    const pattern = ignoreCase ? only.value.toLowerCase() : only.value;
    if (pattern === '*') return always;
    const star = pattern.indexOf('*');
    const hasQuestion = pattern.includes('?');
    // The common shapes get a string comparison instead of a regular expression.
    if (star === -1 && !hasQuestion) {
      return ignoreCase ? (v) => v.length === pattern.length && v.toLowerCase() === pattern : (v) => v === pattern;
    }
    if (star === pattern.length - 1 && !hasQuestion) {
      const prefix = pattern.slice(0, -1);
      return ignoreCase ? (v) => v.toLowerCase().startsWith(prefix) : (v) => v.startsWith(prefix);
    }
  }
  let source = '';
  for (const part of parts) {
    if (!part.wild) source += escapeRegex(part.value);
    else for (const ch of part.value) source += ch === '*' ? '.*' : ch === '?' ? '.' : escapeRegex(ch);
  }
  const regex = new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
  return (v) => regex.test(v);
}

/** A glob over plain text with no variables. */
export function compileTextGlob(pattern: string, options: GlobOptions = {}): Matcher {
  return compileGlob([{ value: pattern, wild: true }], options);
}

/**
 * ARN patterns are matched segment by segment: in the partition, service, region and account segments a wildcard
 * stays inside its segment unless it is the segment's last character (then it may run past the colon, as the IAM
 * User Guide describes), and in the resource part, which itself contains colons and slashes, `*` matches anything.
 * Patterns that are not ARNs fall back to a plain glob. The Arn* condition operators use `strictSegments`: there
 * each of the six components is checked on its own and no wildcard before the resource part crosses a colon.
 */
export function compileArnGlob(parts: readonly ResolvedPart[], options: { strictSegments?: boolean } = {}): Matcher {
  const strict = options.strictSegments === true;
  const text = parts.map((p) => p.value).join('');
  if (!text.startsWith('arn:')) return compileGlob(parts);
  // Most resource patterns are a whole ARN or one that ends in `*` inside the resource part: compare strings.
  const wild = parts.filter((p) => p.wild).map((p) => p.value).join('');
  if (!wild.includes('*') && !wild.includes('?')) return (v) => v === text;
  const star = text.indexOf('*');
  const inResourcePart = text.split(':').length >= 6;
  if (parts.length === 1 && star === text.length - 1 && !text.includes('?') && (!strict || inResourcePart)) {
    const prefix = text.slice(0, -1);
    return (v) => v.startsWith(prefix);
  }
  let source = '';
  let colons = 0;
  for (const part of parts) {
    const chars = [...part.value];
    for (let i = 0; i < chars.length; i++) {
      const ch = chars[i] as string;
      if (!part.wild) {
        source += escapeRegex(ch);
        if (ch === ':') colons++;
        continue;
      }
      if (ch === ':') {
        colons++;
        source += ':';
      } else if (ch === '*') {
        const inResourcePart = colons >= 5;
        const next = chars[i + 1];
        const endsSegment = next === undefined || next === ':';
        source += inResourcePart || (endsSegment && !strict) ? '.*' : '[^:]*';
      } else if (ch === '?') {
        source += colons >= 5 ? '.' : '[^:]';
      } else {
        source += escapeRegex(ch);
      }
    }
  }
  const regex = new RegExp(`^${source}$`, 's');
  return (v) => regex.test(v);
}

/** A plain reference matcher, deliberately naive, that property tests compare the compiled matchers against. */
export function referenceGlobMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let result: boolean;
    if (i === p.length) result = j === v.length;
    else if (p[i] === '*') result = go(i + 1, j) || (j < v.length && go(i, j + 1));
    else if (j < v.length && (p[i] === '?' || p[i] === v[j])) result = go(i + 1, j + 1);
    else result = false;
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}
