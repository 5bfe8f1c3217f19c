import { ServiceError } from '../../core/errors.js';

/**
 * Refuses a signed registration request seen before. A SigV4 signature stays valid for the 15 minutes of clock skew
 * AWS allows, and over plain HTTP whoever saw a `register-container` request could send it again and be handed a
 * token of their own for the role. Registrations are rare, so this node remembers every signature it accepted until
 * it could no longer verify anyway. (Another node sharing the store keeps its own memory: serve them over TLS.)
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs = 15 * 60 * 1000,
    private readonly limit = 10_000,
  ) {}

  /** Notes `signature` as used at `now`; throws if it was used within the window. */
  check(signature: string, now: Date): void {
    const at = now.getTime();
    for (const [key, until] of this.seen) {
      if (until > at) break;
      this.seen.delete(key);
    }
    const until = this.seen.get(signature);
    if (until !== undefined && until > at) {
      throw new ServiceError('AccessDenied', 'This signed request was already received: sign each registration anew (a signed X-Gatehouse-Client-Token header of random text makes two alike differ).', 403);
    }
    // Full of live signatures: refuse rather than forget one that could then be replayed.
    if (this.seen.size >= this.limit) throw new ServiceError('Throttling', 'Rate exceeded', 400);
    // Twice the window: a request dated up to 15 minutes ahead stays valid for 30.
    this.seen.set(signature, at + 2 * this.windowMs);
  }
}
