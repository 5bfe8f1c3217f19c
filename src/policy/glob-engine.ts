// The matching machinery behind wildcard.ts. Policy authors choose the patterns, so nothing here may backtrack:
// a pattern such as `a*a*a*…*b` costs at most value length × its longest run between stars, never exponential.
// Characters are UTF-16 code units, as with the regular expressions this replaces (no `u` flag): `?` matches one
// code unit, so a character outside the BMP needs `??`. AWS documents nothing finer.

export type Matcher = (value: string) => boolean;

/** Matches the pattern against value[from, to). */
export type RangeMatcher = (value: string, from: number, to: number) => boolean;

/** Token kinds. */
export const CHAR = 0;
export const ANY = 1;
export const STAR = 2;

/** A compiled pattern before it becomes a matcher; consecutive stars are merged as they are pushed. */
export class TokenList {
  readonly kinds: number[] = [];
  readonly codes: number[] = [];

  char(code: number): void {
    this.kinds.push(CHAR);
    this.codes.push(code);
  }

  push(kind: typeof ANY | typeof STAR): void {
    if (kind === STAR && this.kinds[this.kinds.length - 1] === STAR) return;
    this.kinds.push(kind);
    this.codes.push(0);
  }
}

export function compileTokens(tokens: TokenList): Matcher {
  const match = compileRange(tokens);
  return (v) => match(v, 0, v.length);
}

/** A run of characters and `?` between stars; `any[j]` marks a `?`. */
interface Segment {
  readonly text: string;
  readonly any: Uint8Array | undefined;
}

function segmentsOf(tokens: TokenList): Segment[] {
  const segments: Segment[] = [];
  let text = '';
  let any: number[] = [];
  let wild = false;
  const close = (): void => {
    segments.push({ text, any: wild ? Uint8Array.from(any) : undefined });
    text = '';
    any = [];
    wild = false;
  };
  tokens.kinds.forEach((kind, i) => {
    if (kind === STAR) close();
    else if (kind === ANY) {
      text += '?';
      any.push(1);
      wild = true;
    } else {
      text += String.fromCharCode(tokens.codes[i] as number);
      any.push(0);
    }
  });
  close();
  return segments;
}

function matchesAt(segment: Segment, value: string, at: number): boolean {
  const { text, any } = segment;
  if (any === undefined) return value.startsWith(text, at);
  for (let j = 0; j < text.length; j++) {
    if (any[j] === 1) continue;
    if (value.charCodeAt(at + j) !== text.charCodeAt(j)) return false;
  }
  return true;
}

/** The leftmost start in [from, last] where the segment matches, or -1. */
function find(segment: Segment, value: string, from: number, last: number): number {
  if (segment.any === undefined) {
    const at = value.indexOf(segment.text, from);
    return at !== -1 && at <= last ? at : -1;
  }
  for (let at = from; at <= last; at++) if (matchesAt(segment, value, at)) return at;
  return -1;
}

/**
 * The first segment is anchored at the start, the last at the end, and each one between is placed at its leftmost
 * occurrence after the previous one. Leftmost is always right (the stars around a segment absorb whatever it skips),
 * so no choice is ever revisited: O(value × longest segment) at worst.
 */
export function compileRange(tokens: TokenList): RangeMatcher {
  const segments = segmentsOf(tokens);
  const first = segments[0] as Segment;
  if (segments.length === 1) return (v, from, to) => to - from === first.text.length && matchesAt(first, v, from);
  const last = segments[segments.length - 1] as Segment;
  const middle = segments.slice(1, -1);
  const fixed = segments.reduce((n, s) => n + s.text.length, 0);
  return (v, from, to) => {
    if (to - from < fixed) return false;
    const tailAt = to - last.text.length;
    if (!matchesAt(first, v, from) || !matchesAt(last, v, tailAt)) return false;
    let pos = from + first.text.length;
    for (const segment of middle) {
      const at = find(segment, v, pos, tailAt - segment.text.length);
      if (at === -1) return false;
      pos = at + segment.text.length;
    }
    return true;
  };
}

/** One of the colon-delimited components before an ARN's resource part. */
export interface ArnSegment {
  /** Matches the component's text, which holds no colon; for an open segment, a beginning of it. */
  readonly match: RangeMatcher;
  /** Ends in a `*` that may run past the colon (and so over later components). */
  readonly open: boolean;
}

/** What follows the last colon-terminated component: the resource part, or a final component with no colon after it. */
export type ArnRest = { readonly kind: 'resource'; readonly tokens: TokenList } | { readonly kind: 'component'; readonly segment: ArnSegment };

/**
 * ARN patterns whose components hold wildcards. A component's wildcards never match a colon, so each component
 * matches exactly the value's text up to its next colon; only an open `*` lets the next component start at any later
 * colon, and then starting at the earliest colon is never worse. So the matcher carries the set of positions where
 * the next component may start (ascending; the value texts they cover are disjoint, so each component costs
 * O(value × longest segment) in all), and the resource part, a plain glob, is tried from the earliest start where
 * its leading text fits: a later start can only leave less for the `*` after it.
 */
export function arnMatcher(components: readonly ArnSegment[], rest: ArnRest): Matcher {
  let matchRest: (v: string, starts: readonly number[]) => boolean;
  if (rest.kind === 'component') {
    const { match, open } = rest.segment;
    matchRest = (v, starts) => {
      for (const p of starts) {
        const colon = v.indexOf(':', p);
        if (open ? match(v, p, colon === -1 ? v.length : colon) : colon === -1 && match(v, p, v.length)) return true;
      }
      return false;
    };
  } else {
    const { kinds, codes } = rest.tokens;
    const star = kinds.indexOf(STAR);
    if (star === -1) {
      const whole = compileRange(rest.tokens);
      const length = kinds.length;
      matchRest = (v, starts) => starts.includes(v.length - length) && whole(v, v.length - length, v.length);
    } else {
      const lead = new TokenList();
      for (let i = 0; i < star; i++) if (kinds[i] === CHAR) lead.char(codes[i] as number); else lead.push(ANY);
      const after = new TokenList();
      for (let i = star; i < kinds.length; i++) if (kinds[i] === CHAR) after.char(codes[i] as number); else after.push(kinds[i] as typeof ANY | typeof STAR);
      const matchLead = compileRange(lead);
      const matchAfter = compileRange(after);
      matchRest = (v, starts) => {
        for (const p of starts) {
          const end = p + star;
          if (end <= v.length && matchLead(v, p, end)) return matchAfter(v, end, v.length);
        }
        return false;
      };
    }
  }
  return (v) => {
    let starts: number[] = [0];
    for (const component of components) {
      const next: number[] = [];
      for (const p of starts) {
        const colon = v.indexOf(':', p);
        if (colon === -1 || !component.match(v, p, colon)) continue;
        if (!component.open) {
          next.push(colon + 1);
          continue;
        }
        // Any later colon may end it; a later start would only offer fewer of them.
        for (let c = colon; c !== -1; c = v.indexOf(':', c + 1)) next.push(c + 1);
        break;
      }
      if (next.length === 0) return false;
      starts = next;
    }
    return matchRest(v, starts);
  };
}
