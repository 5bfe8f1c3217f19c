import { randomBytes, randomInt } from 'node:crypto';

// IAM unique IDs: a 4-letter prefix and 17 characters of upper-case letters and digits (21 in all); access key
// IDs are one shorter (20 in all, e.g. AKIAIOSFODNN7EXAMPLE).
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export type IdPrefix = 'AIDA' | 'AGPA' | 'AROA' | 'ANPA' | 'AIPA' | 'AKIA' | 'ASIA' | 'ANVA' | 'APKA' | 'ACCA' | 'ASCA';

export function newId(prefix: IdPrefix): string {
  let out = prefix;
  const length = prefix === 'AKIA' || prefix === 'ASIA' ? 16 : 17;
  for (let i = 0; i < length; i++) out += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return out;
}

/** A secret access key: 40 characters of base64 text, as AWS issues them. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

/** A request ID in AWS's UUID form. */
export function newRequestId(): string {
  return crypto.randomUUID();
}
