/** Header values by lower-cased name, in the order received. */
export type HeaderIndex = ReadonlyMap<string, readonly string[]>;

export function indexHeaders(headers: ReadonlyArray<readonly [string, string]>): HeaderIndex {
  const index = new Map<string, string[]>();
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    const values = index.get(key);
    if (values) values.push(value);
    else index.set(key, [value]);
  }
  return index;
}

// ASCII whitespace only: the SDKs collapse spaces, tabs and the line breaks of folded headers, not Unicode spaces.
const WHITESPACE_RUN = /[\t\n\v\f\r ]+/g;

/** One header's canonical value: each occurrence trimmed with inner whitespace runs collapsed, joined by commas. */
export function canonicalHeaderValue(values: readonly string[]): string {
  return values.map((value) => value.replace(WHITESPACE_RUN, ' ').trim()).join(',');
}

/**
 * The canonical headers block: `name:value\n` for each signed header, in the order the client listed them (it
 * signed in that order; the specification has it sorted). A signed header the request lacks signs as empty, so the
 * signature fails rather than the parser.
 */
export function canonicalHeaders(headers: HeaderIndex, signedHeaders: readonly string[]): string {
  let block = '';
  for (const name of signedHeaders) {
    block += `${name}:${canonicalHeaderValue(headers.get(name) ?? [])}\n`;
  }
  return block;
}
