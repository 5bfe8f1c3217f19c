// The matching machinery behind wildcard.ts. Policy authors choose the patterns, so nothing here may backtrack:
// a pattern such as `a*a*a*…*b` must cost time proportional to pattern × value at worst, never exponential.
// Characters are UTF-16 code units, as they were with the regular expressions this replaces (no `u` flag) and as
// AWS's own (Java) string handling counts them: `?` matches one code unit.

export type Matcher = (value: string) => boolean;

/** Token kinds. The `NO_COLON` variants are the ARN segment rules: they never consume a `:`. */
export const CHAR = 0;
export const ANY = 1;
export const ANY_NO_COLON = 2;
export const STAR = 3;
export const STAR_NO_COLON = 4;

const COLON = 58;

function isStar(kind: number | undefined): boolean {
  return kind === STAR || kind === STAR_NO_COLON;
}

/** A compiled pattern before it becomes a matcher; consecutive stars are merged as they are pushed. */
export class TokenList {
  readonly kinds: number[] = [];
  readonly codes: number[] = [];

  char(code: number): void {
    this.kinds.push(CHAR);
    this.codes.push(code);
  }

  push(kind: number): void {
    const last = this.kinds.length - 1;
    // `**` is `*`, and a run mixing both kinds of star can cross a colon through its unrestricted member.
    if (isStar(kind) && isStar(this.kinds[last])) {
      if (kind === STAR) this.kinds[last] = STAR;
      return;
    }
    this.kinds.push(kind);
    this.codes.push(0);
  }
}

/** Picks the cheapest exact algorithm for the tokens. */
export function compileTokens(tokens: TokenList): Matcher {
  if (tokens.kinds.some((k) => k === ANY_NO_COLON || k === STAR_NO_COLON)) return automaton(tokens);
  return segmentMatcher(tokens);
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
 * Plain globs: the first segment is anchored at the start, the last at the end, and each one between is placed at
 * its leftmost occurrence after the previous one. Leftmost is always right (the stars around a segment absorb
 * whatever it skips), so no choice is ever revisited: O(value × longest segment) at worst.
 */
function segmentMatcher(tokens: TokenList): Matcher {
  const segments = segmentsOf(tokens);
  const first = segments[0] as Segment;
  if (segments.length === 1) return (v) => v.length === first.text.length && matchesAt(first, v, 0);
  const last = segments[segments.length - 1] as Segment;
  const middle = segments.slice(1, -1);
  const fixed = segments.reduce((n, s) => n + s.text.length, 0);
  return (v) => {
    if (v.length < fixed) return false;
    const tailAt = v.length - last.text.length;
    if (!matchesAt(first, v, 0) || !matchesAt(last, v, tailAt)) return false;
    let pos = first.text.length;
    for (const segment of middle) {
      const at = find(segment, v, pos, tailAt - segment.text.length);
      if (at === -1) return false;
      pos = at + segment.text.length;
    }
    return true;
  };
}

/**
 * ARN patterns with segment-bound wildcards: a Thompson simulation over token positions, each position visited at
 * most once per value character, so O(value × pattern). The state lists are allocated once per compiled pattern.
 */
function automaton(tokens: TokenList): Matcher {
  const m = tokens.kinds.length;
  const kinds = Uint8Array.from(tokens.kinds);
  const codes = Uint16Array.from(tokens.codes);
  const mark = new Uint32Array(m + 1);
  let current = new Int32Array(m + 1);
  let following = new Int32Array(m + 1);
  let generation = 0;

  return (value) => {
    if (generation + value.length + 2 > 0xffffffff) {
      mark.fill(0);
      generation = 0;
    }
    generation++;
    let size = 0;
    mark[0] = generation;
    current[size++] = 0;
    // Stars were merged when the tokens were built, so a state's closure is itself plus at most the one after it.
    if (isStar(kinds[0])) {
      mark[1] = generation;
      current[size++] = 1;
    }
    for (let p = 0; p < value.length && size > 0; p++) {
      const c = value.charCodeAt(p);
      generation++;
      let nextSize = 0;
      for (let s = 0; s < size; s++) {
        const state = current[s] as number;
        if (state === m) continue;
        const kind = kinds[state];
        let to: number;
        if (kind === CHAR) to = codes[state] === c ? state + 1 : -1;
        else if (kind === ANY) to = state + 1;
        else if (kind === ANY_NO_COLON) to = c !== COLON ? state + 1 : -1;
        else if (kind === STAR) to = state;
        else to = c !== COLON ? state : -1;
        if (to === -1) continue;
        if (mark[to] !== generation) {
          mark[to] = generation;
          following[nextSize++] = to;
        }
        if (isStar(kinds[to]) && mark[to + 1] !== generation) {
          mark[to + 1] = generation;
          following[nextSize++] = to + 1;
        }
      }
      const swap = current;
      current = following;
      following = swap;
      size = nextSize;
    }
    return size > 0 && mark[m] === generation;
  };
}
