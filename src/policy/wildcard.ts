import { ANY, arnMatcher, CHAR, compileRange, compileTokens, STAR, TokenList, type ArnSegment, type Matcher } from './glob-engine.js';
import type { ResolvedPart } from './variables.js';

export type { Matcher } from './glob-engine.js';

// Patterns come from policy authors, so they are never turned into regular expressions (a backtracking engine
// takes exponential time on `a*a*a*…b`): glob-engine.ts matches them in time bounded by pattern × value.

export interface GlobOptions {
  /**
   * Actions fold case; resources, ARNs and StringLike do not. Folding is String.prototype.toLowerCase on the
   * pattern and on the value, then a code-unit comparison.
   */
  readonly ignoreCase?: boolean;
}

const STAR_CODE = 42;
const QUESTION_CODE = 63;
const COLON_CODE = 58;

function always(): boolean {
  return true;
}

/** `*` is any run of characters, `?` exactly one (UTF-16 code unit), in the `wild` parts; everything else is literal. */
export function compileGlob(parts: readonly ResolvedPart[], options: GlobOptions = {}): Matcher {
  const ignoreCase = options.ignoreCase === true;
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only !== undefined && only.wild) {
    const pattern = ignoreCase ? only.value.toLowerCase() : only.value;
    if (pattern === '*') return always;
    const star = pattern.indexOf('*');
    const hasQuestion = pattern.includes('?');
    // The common shapes get a plain string comparison.
    if (star === -1 && !hasQuestion) {
      return ignoreCase ? (v) => v.toLowerCase() === pattern : (v) => v === pattern;
    }
    if (star === pattern.length - 1 && !hasQuestion) {
      const prefix = pattern.slice(0, -1);
      return ignoreCase ? (v) => v.toLowerCase().startsWith(prefix) : (v) => v.startsWith(prefix);
    }
  }
  const tokens = new TokenList();
  for (const part of parts) {
    const text = ignoreCase ? part.value.toLowerCase() : part.value;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (part.wild && c === STAR_CODE) tokens.push(STAR);
      else if (part.wild && c === QUESTION_CODE) tokens.push(ANY);
      else tokens.char(c);
    }
  }
  const match = compileTokens(tokens);
  return ignoreCase ? (v) => match(v.toLowerCase()) : match;
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
 * "Last character of the segment" looks at the whole resolved pattern: a `*` followed by a variable's value is not.
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
  const wildAt: boolean[] = [];
  for (const part of parts) for (let i = 0; i < part.value.length; i++) wildAt.push(part.wild);
  const all = new TokenList();
  const components: ArnSegment[] = [];
  let component = new TokenList();
  let open = false;
  let wildComponents = false;
  const closeComponent = (): ArnSegment => {
    if (open) component.push(STAR);
    const segment = { match: compileRange(component), open };
    component = new TokenList();
    open = false;
    return segment;
  };
  let colons = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const wildcard = wildAt[i] === true && (c === STAR_CODE || c === QUESTION_CODE);
    if (wildcard) all.push(c === STAR_CODE ? STAR : ANY);
    else all.char(c);
    if (colons >= 5) continue;
    if (c === COLON_CODE) {
      components.push(closeComponent());
      colons++;
    } else if (!wildcard) component.char(c);
    else {
      wildComponents = true;
      const endsComponent = i + 1 === text.length || text.charCodeAt(i + 1) === COLON_CODE;
      if (c === QUESTION_CODE) component.push(ANY);
      else if (endsComponent && !strict) open = true;
      else component.push(STAR);
    }
  }
  // Without wildcards before the resource part the components are plain text, and the whole is a plain glob.
  if (!wildComponents) return compileTokens(all);
  if (colons < 5) return arnMatcher(components, { kind: 'component', segment: closeComponent() });
  const resource = new TokenList();
  let seen = 0;
  for (let k = 0; k < all.kinds.length; k++) {
    if (seen < 5) {
      if (all.kinds[k] === CHAR && all.codes[k] === COLON_CODE) seen++;
      continue;
    }
    if (all.kinds[k] === CHAR) resource.char(all.codes[k] as number);
    else resource.push(all.kinds[k] as typeof ANY | typeof STAR);
  }
  return arnMatcher(components, { kind: 'resource', tokens: resource });
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

/**
 * The reference for patterns in parts (literal pieces from variables) and for ARN patterns, as deliberately naive as
 * referenceGlobMatch and written from the rules in compileArnGlob's comment rather than from its tokens. `arn`
 * selects the ARN rules (undefined: a plain glob); strict is the Arn* condition operators' reading.
 */
export function referencePartsMatch(
  parts: readonly ResolvedPart[],
  value: string,
  options: { ignoreCase?: boolean; arn?: { strict: boolean } } = {},
): boolean {
  const fold = (s: string): string => (options.ignoreCase === true ? s.toLowerCase() : s);
  const units: { ch: string; wild: boolean; crossesColon: boolean }[] = [];
  for (const part of parts) for (const ch of fold(part.value)) for (const unit of ch.split('')) units.push({ ch: unit, wild: part.wild, crossesColon: true });
  const text = units.map((u) => u.ch).join('');
  const arn = options.arn;
  if (arn !== undefined && text.startsWith('arn:')) {
    units.forEach((u, i) => {
      const colonsSoFar = text.slice(0, i).split(':').length - 1;
      const segmentLast = i === units.length - 1 || units[i + 1]?.ch === ':';
      u.crossesColon = colonsSoFar >= 5 || (u.ch === '*' && segmentLast && !arn.strict);
    });
  }
  const v = fold(value);
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const u = units[i];
    let result: boolean;
    if (u === undefined) result = j === v.length;
    else if (u.wild && u.ch === '*') result = go(i + 1, j) || (j < v.length && (u.crossesColon || v[j] !== ':') && go(i, j + 1));
    else if (u.wild && u.ch === '?') result = j < v.length && (u.crossesColon || v[j] !== ':') && go(i + 1, j + 1);
    else result = j < v.length && u.ch === v[j] && go(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}
