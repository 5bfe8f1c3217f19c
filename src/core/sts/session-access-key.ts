import { randomBytes } from 'node:crypto';

// Access key IDs AWS issues carry their account: the 16 characters after the prefix are base32 (RFC 4648) of 10
// bytes, and bits 46..7 of the first 6 bytes are the account number. Temporary key IDs are minted the same way, so
// GetAccessKeyInfo answers for them with nothing stored and on any node.
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ACCOUNT_MASK = 0x7fffffffff80n;

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** A new temporary access key ID (ASIA + 16) whose bits name `account` (12 digits). */
export function newSessionAccessKeyId(account: string): string {
  const bytes = randomBytes(10);
  const head = bytes.readUIntBE(0, 6);
  const mixed = (BigInt(head) & ~ACCOUNT_MASK & 0xffffffffffffn) | (BigInt(account) << 7n);
  bytes.writeUIntBE(Number(mixed), 0, 6);
  return `ASIA${base32(bytes)}`;
}

/** The account an access key ID's bits name, as AWS decodes it; undefined when the ID is not 20 base32 characters. */
export function accountOfAccessKeyId(accessKeyId: string): string | undefined {
  if (!/^[A-Z]{4}[A-Z2-7]{16}$/.test(accessKeyId)) return undefined;
  let value = 0n;
  for (const c of accessKeyId.slice(4, 14)) value = (value << 5n) | BigInt(BASE32.indexOf(c));
  // 10 characters are 50 bits; the first 48 are the 6 bytes.
  const head = value >> 2n;
  return ((head & ACCOUNT_MASK) >> 7n).toString().padStart(12, '0');
}
