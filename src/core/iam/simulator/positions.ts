// Where each statement of a policy's text begins and ends, as the simulators report them in MatchedStatements.
//
// AWS's positions count lines from 1 and give the column just past the statement's opening and closing brace (its
// CLI example: a one-line policy whose Statement object spans characters 37 to 166, counted from 1, is reported as
// columns 38 and 167). The text is scanned rather than re-serialized so that positions point into the document the
// caller wrote, whitespace and all.

export interface Position {
  readonly Line: number;
  readonly Column: number;
}

export interface StatementSpan {
  readonly StartPosition: Position;
  readonly EndPosition: Position;
}

/** A JSON scanner that only records where values start and end; the text has been parsed already, so it is valid. */
class Scanner {
  at = 0;
  constructor(readonly text: string) {}

  private space(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at] as string)) this.at++;
  }

  private string(): string {
    const start = this.at;
    this.at++;
    while (this.text[this.at] !== '"') this.at += this.text[this.at] === '\\' ? 2 : 1;
    this.at++;
    return JSON.parse(this.text.slice(start, this.at)) as string;
  }

  /** Skips one value; returns its first and last character offsets. */
  value(onMember?: (key: string, start: number, end: number, inner: Array<[number, number]> | undefined) => void): [number, number] {
    this.space();
    const start = this.at;
    const c = this.text[this.at];
    if (c === '{') {
      this.at++;
      this.space();
      while (this.text[this.at] !== '}') {
        this.space();
        const key = this.string();
        this.space();
        this.at++; // ':'
        this.space();
        const elements: Array<[number, number]> | undefined = this.text[this.at] === '[' ? [] : undefined;
        const [s, e] = elements === undefined ? this.value() : this.array(elements);
        onMember?.(key, s, e, elements);
        this.space();
        if (this.text[this.at] === ',') this.at++;
        this.space();
      }
      this.at++;
    } else if (c === '[') {
      return this.array([]);
    } else if (c === '"') {
      this.string();
    } else {
      while (this.at < this.text.length && /[^\s,\]}]/.test(this.text[this.at] as string)) this.at++;
    }
    return [start, this.at - 1];
  }

  private array(elements: Array<[number, number]>): [number, number] {
    const start = this.at;
    this.at++;
    this.space();
    while (this.text[this.at] !== ']') {
      elements.push(this.value());
      this.space();
      if (this.text[this.at] === ',') this.at++;
      this.space();
    }
    this.at++;
    return [start, this.at - 1];
  }
}

function positionOf(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { Line: line, Column: offset - lineStart + 2 };
}

/**
 * The spans of the document's statements, by their index in the Statement array (one when Statement is a single
 * object). Empty when the text cannot be scanned (the simulators then report the statement without positions).
 */
export function statementSpans(text: string): StatementSpan[] {
  try {
    JSON.parse(text);
    const scanner = new Scanner(text);
    let spans: Array<[number, number]> = [];
    scanner.value((key, start, end, elements) => {
      // JSON.parse keeps the last of duplicate keys; so does this.
      if (key === 'Statement') spans = elements ?? [[start, end]];
    });
    return spans.map(([start, end]) => ({ StartPosition: positionOf(text, start), EndPosition: positionOf(text, end) }));
  } catch {
    return [];
  }
}
