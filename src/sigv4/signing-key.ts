import * as crypto from 'node:crypto';

function hmac(key: string | Buffer, data: string): Buffer {
  return crypto.createHmac('sha256', key).update(data, 'utf8').digest();
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

/** HMAC-SHA256 of the string to sign under the signing key, as lower-case hex. */
export function signatureFor(signingKey: Buffer, stringToSign: string): string {
  return crypto.createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

const oneShotHash = typeof (crypto as { hash?: unknown }).hash === 'function' ? crypto.hash : undefined;
const BLOCK = 64;
// The inner hash's input: the key's inner pad, then the string to sign (a few hundred bytes; longer ones fall back).
const scratch = Buffer.alloc(BLOCK + 1024);
/** Whose inner pad the scratch buffer starts with: consecutive requests under one key skip copying it. */
let scratchPad: SigningKey | undefined;

/**
 * A signing key with its HMAC pads (RFC 2104) worked out once: the final HMAC of a request is then two one-shot
 * SHA-256 calls over reused buffers, about half the cost of a createHmac per request.
 */
export class SigningKey {
  private readonly innerPad = Buffer.alloc(BLOCK);
  /** The outer pad followed by room for the inner digest. */
  private readonly outer = Buffer.alloc(BLOCK + 32);

  constructor(readonly key: Buffer) {
    // A derived key is 32 bytes, shorter than the block, so it is used as is, zero-padded.
    for (let i = 0; i < BLOCK; i++) {
      const byte = i < key.length ? (key[i] as number) : 0;
      this.innerPad[i] = byte ^ 0x36;
      this.outer[i] = byte ^ 0x5c;
    }
  }

  /** signatureFor(this.key, stringToSign). */
  sign(stringToSign: string): string {
    if (oneShotHash === undefined || this.key.length > BLOCK) return signatureFor(this.key, stringToSign);
    if (scratchPad !== this) {
      this.innerPad.copy(scratch, 0);
      scratchPad = this;
    }
    const written = scratch.write(stringToSign, BLOCK, 'utf8');
    // A full buffer may have cut the string short (write stops before a character that does not fit).
    if (written > scratch.length - BLOCK - 4) return signatureFor(this.key, stringToSign);
    this.outer.write(oneShotHash('sha256', scratch.subarray(0, BLOCK + written), 'binary'), BLOCK, 'binary');
    return oneShotHash('sha256', this.outer, 'hex');
  }
}

/**
 * Signing keys by (secret, date, region, service). A key is valid for a whole UTC day, so one derivation (four
 * HMACs) serves every request of that day and a request pays only the final HMAC. Bounded, least recently used out
 * first, so old days and rotated secrets age out without a timer.
 */
export class SigningKeyCache {
  private readonly keys = new Map<string, SigningKey>();
  /** The most recently used entry, which a repeat lookup can return without touching the Map. */
  private last: { secret: string; date: string; region: string; service: string; key: SigningKey } | undefined;

  constructor(readonly maxEntries = 1024) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  get size(): number {
    return this.keys.size;
  }

  get(secret: string, date: string, region: string, service: string): Buffer {
    return this.signingKey(secret, date, region, service).key;
  }

  /** get, with the key ready to sign. */
  signingKey(secret: string, date: string, region: string, service: string): SigningKey {
    // Most requests in a row come from the same key on the same day, and the most recent entry needs no reordering.
    const last = this.last;
    if (last !== undefined && last.secret === secret && last.date === date && last.region === region && last.service === service) {
      return last.key;
    }
    const found = this.lookup(secret, date, region, service);
    this.last = { secret, date, region, service, key: found };
    return found;
  }

  private lookup(secret: string, date: string, region: string, service: string): SigningKey {
    // NUL cannot occur in any of the four parts, so the joined key is unambiguous.
    const id = `${date}\0${region}\0${service}\0${secret}`;
    const cached = this.keys.get(id);
    if (cached) {
      // Re-insert so that Map order is recency order.
      this.keys.delete(id);
      this.keys.set(id, cached);
      return cached;
    }
    const key = new SigningKey(deriveSigningKey(secret, date, region, service));
    if (this.keys.size >= this.maxEntries) {
      const oldest = this.keys.keys().next();
      if (!oldest.done) this.keys.delete(oldest.value);
    }
    this.keys.set(id, key);
    return key;
  }

  clear(): void {
    this.keys.clear();
    this.last = undefined;
  }
}
