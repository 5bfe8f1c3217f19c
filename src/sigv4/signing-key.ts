import { createHmac } from 'node:crypto';

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

/** HMAC-SHA256 of the string to sign under the signing key, as lower-case hex. */
export function signatureFor(signingKey: Buffer, stringToSign: string): string {
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

/**
 * Signing keys by (secret, date, region, service). A key is valid for a whole UTC day, so one derivation (four
 * HMACs) serves every request of that day and a request pays only the final HMAC. Bounded, least recently used out
 * first, so old days and rotated secrets age out without a timer.
 */
export class SigningKeyCache {
  private readonly keys = new Map<string, Buffer>();

  constructor(readonly maxEntries = 1024) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  get size(): number {
    return this.keys.size;
  }

  get(secret: string, date: string, region: string, service: string): Buffer {
    // NUL cannot occur in any of the four parts, so the joined key is unambiguous.
    const id = `${date}\0${region}\0${service}\0${secret}`;
    const cached = this.keys.get(id);
    if (cached) {
      // Re-insert so that Map order is recency order.
      this.keys.delete(id);
      this.keys.set(id, cached);
      return cached;
    }
    const key = deriveSigningKey(secret, date, region, service);
    if (this.keys.size >= this.maxEntries) {
      const oldest = this.keys.keys().next();
      if (!oldest.done) this.keys.delete(oldest.value);
    }
    this.keys.set(id, key);
    return key;
  }

  clear(): void {
    this.keys.clear();
  }
}
