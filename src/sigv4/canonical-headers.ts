/** Header values by lower-cased name, in the order received (a ReadonlyMap is one). */
export interface HeaderIndex {
  get(name: string): readonly string[] | undefined;
}

/**
 * The few headers of a typical request, searched in place: for a dozen headers a scan is cheaper than hashing every
 * name into a Map. `names` are the lower-cased names, index for index with `headers`.
 */
class HeaderList implements HeaderIndex {
  constructor(
    private readonly names: readonly string[],
    private readonly headers: ReadonlyArray<readonly [string, string]>,
  ) {}

  get(name: string): readonly string[] | undefined {
    let values: string[] | undefined;
    for (let i = 0; i < this.names.length; i++) {
      if (this.names[i] === name) {
        const value = (this.headers[i] as readonly [string, string])[1];
        if (values === undefined) values = [value];
        else values.push(value);
      }
    }
    return values;
  }

  /** canonicalHeaderValue(this.get(name) ?? []), without an array for a header sent once. */
  canonicalValue(name: string): string {
    let found = -1;
    for (let i = 0; i < this.names.length; i++) {
      if (this.names[i] !== name) continue;
      if (found >= 0) return canonicalHeaderValue(this.get(name) as readonly string[]);
      found = i;
    }
    return found < 0 ? '' : canonicalSingleValue((this.headers[found] as readonly [string, string])[1]);
  }
}

// Past this many headers a Map, so that many signed names times many headers cannot make a request expensive.
const MAX_SCANNED_HEADERS = 24;

/** `lowerNames`: the headers' names lower-cased, when the caller already has them. */
export function indexHeaders(headers: ReadonlyArray<readonly [string, string]>, lowerNames?: readonly string[]): HeaderIndex {
  if (headers.length <= MAX_SCANNED_HEADERS) {
    if (lowerNames !== undefined) return new HeaderList(lowerNames, headers);
    const names: string[] = [];
    for (let i = 0; i < headers.length; i++) names.push((headers[i] as readonly [string, string])[0].toLowerCase());
    return new HeaderList(names, headers);
  }
  const index = new Map<string, string[]>();
  for (let i = 0; i < headers.length; i++) {
    const header = headers[i] as readonly [string, string];
    const key = lowerNames?.[i] ?? header[0].toLowerCase();
    const values = index.get(key);
    if (values) values.push(header[1]);
    else index.set(key, [header[1]]);
  }
  return index;
}

// ASCII whitespace only: the SDKs collapse spaces, tabs and the line breaks of folded headers, not Unicode spaces.
const WHITESPACE_RUN = /[\t\n\v\f\r ]+/g;

/**
 * A value that is its own canonical form: printable ASCII words separated by single spaces, nothing to collapse or
 * trim (the common case, checked without a copy). Anything else, non-ASCII included (String.prototype.trim also
 * strips Unicode spaces), takes the general path.
 */
const CANONICAL_VALUE = /^[!-~]+(?: [!-~]+)*$/;

/** One header's canonical value: each occurrence trimmed with inner whitespace runs collapsed, joined by commas. */
export function canonicalHeaderValue(values: readonly string[]): string {
  if (values.length === 1) return canonicalSingleValue(values[0] as string);
  return values.map((value) => value.replace(WHITESPACE_RUN, ' ').trim()).join(',');
}

function canonicalSingleValue(value: string): string {
  return CANONICAL_VALUE.test(value) ? value : value.replace(WHITESPACE_RUN, ' ').trim();
}

const NO_VALUES: readonly string[] = [];

/**
 * The canonical headers block: `name:value\n` for each signed header, in the order the client listed them (it
 * signed in that order; the specification has it sorted). A signed header the request lacks signs as empty, so the
 * signature fails rather than the parser.
 */
export function canonicalHeaders(headers: HeaderIndex, signedHeaders: readonly string[]): string {
  let block = '';
  for (let i = 0; i < signedHeaders.length; i++) {
    const name = signedHeaders[i] as string;
    const value = headers instanceof HeaderList ? headers.canonicalValue(name) : canonicalHeaderValue(headers.get(name) ?? NO_VALUES);
    block += name + ':' + value + '\n';
  }
  return block;
}
