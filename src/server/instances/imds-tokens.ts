import { createHash, randomBytes } from 'node:crypto';

/** IMDSv2's bounds for a session token's TTL (X-aws-ec2-metadata-token-ttl-seconds). */
export const MIN_TOKEN_TTL = 1;
export const MAX_TOKEN_TTL = 21600;

/** The TTL a token request asks for, or undefined when the header is missing or not a whole number in 1-21600. */
export function tokenTtl(header: string | undefined): number | undefined {
  if (header === undefined || !/^[0-9]{1,5}$/.test(header.trim())) return undefined;
  const ttl = Number(header.trim());
  return ttl >= MIN_TOKEN_TTL && ttl <= MAX_TOKEN_TTL ? ttl : undefined;
}

const digest = (token: string): string => createHash('sha256').update(token, 'utf8').digest('base64');

/**
 * One instance's IMDSv2 session tokens: 256 random bits each, kept only as their SHA-256 until they expire. A token
 * is looked up by its digest, so what a lookup's time could tell depends on the digest, not on how much of a guess
 * is right. Each instance has its own set: a token of one instance is nothing to another's IMDS.
 */
export class ImdsTokens {
  private readonly tokens = new Map<string, number>();

  /** A local process can ask for tokens without end: past the limit, expired ones go, then the oldest. */
  constructor(private readonly limit = 5000) {}

  issue(ttlSeconds: number, now: Date): string {
    const token = randomBytes(32).toString('base64');
    if (this.tokens.size >= this.limit) this.prune(now);
    this.tokens.set(digest(token), now.getTime() + ttlSeconds * 1000);
    return token;
  }

  valid(token: string, now: Date): boolean {
    if (token.length === 0 || token.length > 256) return false;
    const expires = this.tokens.get(digest(token));
    return expires !== undefined && now.getTime() < expires;
  }

  clear(): void {
    this.tokens.clear();
  }

  get size(): number {
    return this.tokens.size;
  }

  private prune(now: Date): void {
    for (const [key, expires] of this.tokens) if (expires <= now.getTime()) this.tokens.delete(key);
    while (this.tokens.size >= this.limit) {
      const oldest = this.tokens.keys().next();
      if (oldest.done === true) break;
      this.tokens.delete(oldest.value);
    }
  }
}
