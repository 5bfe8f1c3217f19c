const HEX = '0123456789ABCDEF';

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || // -
    byte === 0x2e || // .
    byte === 0x5f || // _
    byte === 0x7e // ~
  );
}

/**
 * SigV4's UriEncode: every byte but the RFC 3986 unreserved set becomes %XX with upper-case hex, a space included
 * (%20, never '+'). Strings are encoded as UTF-8 first.
 */
export function uriEncode(input: string | Uint8Array): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  let out = '';
  for (const byte of bytes) {
    out += isUnreserved(byte) ? String.fromCharCode(byte) : `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/**
 * Percent-decodes to bytes, not to a string, so that escapes of invalid UTF-8 survive a decode/encode round trip.
 * '+' stays '+': SDKs encode a space in a query as %20, and RFC 3986 gives '+' no special meaning. A '%' that does
 * not start a valid escape is kept as a literal character (it re-encodes as %25), matching what a client that
 * encoded the raw text would have signed.
 */
export function percentDecode(input: string): Buffer {
  if (!input.includes('%')) return Buffer.from(input, 'utf8');
  const chunks: Buffer[] = [];
  let literalStart = 0;
  let i = 0;
  while (i < input.length) {
    if (input.charCodeAt(i) === 0x25 && i + 2 < input.length) {
      const high = hexValue(input.charCodeAt(i + 1));
      const low = hexValue(input.charCodeAt(i + 2));
      if (high >= 0 && low >= 0) {
        chunks.push(Buffer.from(input.slice(literalStart, i), 'utf8'), Buffer.of(high * 16 + low));
        i += 3;
        literalStart = i;
        continue;
      }
    }
    i += 1;
  }
  chunks.push(Buffer.from(input.slice(literalStart), 'utf8'));
  return Buffer.concat(chunks);
}
