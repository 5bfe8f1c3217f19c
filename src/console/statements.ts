// Where a policy's statements sit in its text, so that the simulator's StartPosition (a line and a column, as IAM's
// MatchedStatements gives them) can be turned into "statement N" and a page can mark that statement. IAM counts lines
// from 1 and gives the column just past the statement's opening brace.

export interface TextSpan {
  /** Offset of the statement's opening brace. */
  readonly start: number;
  /** Offset just past its closing brace. */
  readonly end: number;
}

/** Skips the JSON value at `at` (the text is valid JSON); calls `member` for each key of the top-level object. */
function skip(text: string, at: number, member?: (key: string, start: number, elements: TextSpan[] | undefined, end: number) => void): number {
  const space = (i: number): number => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    return i;
  };
  const string = (i: number): number => {
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    return i + 1;
  };
  let i = space(at);
  const c = text[i];
  if (c === '"') return string(i);
  if (c === '[' || c === '{') {
    const close = c === '[' ? ']' : '}';
    i = space(i + 1);
    while (text[i] !== close) {
      let key: string | undefined;
      if (c === '{') {
        const keyEnd = string(i);
        key = JSON.parse(text.slice(i, keyEnd)) as string;
        i = space(keyEnd) + 1;
      }
      const valueStart = space(i);
      let elements: TextSpan[] | undefined;
      if (key !== undefined && member !== undefined && text[valueStart] === '[') {
        // The Statement array's elements, each recorded with where it starts and ends.
        elements = [];
        let j = space(valueStart + 1);
        while (text[j] !== ']') {
          const end = skip(text, j);
          elements.push({ start: j, end });
          j = space(end);
          if (text[j] === ',') j = space(j + 1);
        }
        i = j + 1;
      } else {
        i = skip(text, valueStart);
      }
      if (key !== undefined) member?.(key, valueStart, elements, i);
      i = space(i);
      if (text[i] === ',') i = space(i + 1);
    }
    return i + 1;
  }
  while (i < text.length && /[^\s,\]}]/.test(text[i] as string)) i++;
  return i;
}

/** The statements' spans in the document's text, in Statement order; empty when the text is not a JSON object. */
export function statementSpans(text: string): TextSpan[] {
  try {
    JSON.parse(text);
  } catch {
    return [];
  }
  let spans: TextSpan[] = [];
  skip(text, 0, (key, start, elements, end) => {
    // JSON.parse keeps the last of duplicate keys; so does this.
    if (key === 'Statement') spans = elements ?? [{ start, end }];
  });
  return spans;
}

/** The offset of a Line/Column position as IAM reports them (the column is one past the character's own, from 1). */
function offsetOf(text: string, line: number, column: number): number {
  let lineStart = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', lineStart);
    if (next === -1) return -1;
    lineStart = next + 1;
  }
  return lineStart + column - 2;
}

/** The index (from 0) of the statement that starts at IAM's StartPosition, or undefined when none does. */
export function statementIndexAt(text: string, position: { Line?: number | undefined; Column?: number | undefined } | undefined): number | undefined {
  if (position?.Line === undefined || position.Column === undefined) return undefined;
  const offset = offsetOf(text, position.Line, position.Column);
  const index = statementSpans(text).findIndex((s) => s.start === offset);
  return index === -1 ? undefined : index;
}

/** A policy document as IAM returns it (URL-encoded), decoded; the text as it is when it is not encoded. */
export function decodedDocument(encoded: string | undefined): string {
  if (encoded === undefined) return '';
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}
