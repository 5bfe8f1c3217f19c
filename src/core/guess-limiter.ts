import { ServiceError } from './errors.js';

/**
 * How hard guessing a secret (an MFA code, a password) is made. A key (a device, a user, a source address) that fails
 * `maxFailures` times within `windowMs` is refused for `firstBackoffMs`; every further failure before the key has been
 * quiet for `quietMs` refuses it again for twice as long as the last time, up to `maxBackoffMs`. Nothing is refused for
 * longer than that, so an attacker who fails on purpose cannot lock the owner out for long, and gains a handful of
 * guesses an hour.
 */
export interface GuessLimits {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly firstBackoffMs: number;
  readonly maxBackoffMs: number;
  /** After this long without a failure (counted from the end of the last back-off), a key starts afresh. */
  readonly quietMs: number;
  /** Keys remembered at most: every failing request may add one, so an attacker spraying addresses is bounded. */
  readonly maxEntries: number;
}

export const DEFAULT_GUESS_LIMITS: GuessLimits = {
  maxFailures: 5,
  windowMs: 30_000,
  firstBackoffMs: 30_000,
  maxBackoffMs: 5 * 60_000,
  quietMs: 10 * 60_000,
  maxEntries: 20_000,
};

/** AWS's throttling error for the Query APIs (IAM, STS): SDKs recognise the code and retry with back-off. */
export const throttling = (): ServiceError => new ServiceError('Throttling', 'Rate exceeded', 400);

interface Entry {
  /** Failure times (ms) inside the window, while no back-off has been earned yet. */
  failures: number[];
  /** Back-offs earned since the key was last quiet: the next one lasts firstBackoffMs * 2^strikes. */
  strikes: number;
  blockedUntil: number;
  /** The later of the last failure and the end of the last back-off: the quiet period counts from here. */
  lastSeen: number;
}

/**
 * Failed guesses per key, in this process's memory (each node of a cluster limits on its own). Callers check the keys
 * before verifying a secret and record the outcome after, with no other attempt on the same keys in between: inside
 * one write transaction (the store runs a process's transactions one at a time) or with no await between the two, so
 * concurrent guesses cannot all pass the check before the first failure is counted. Refused attempts are not counted:
 * they prove nothing, and counting them would let an attacker keep a key locked by hammering it.
 */
export class GuessLimiter {
  private readonly limits: GuessLimits;
  // Insertion order is last-touched order: recording moves a key to the end.
  private readonly entries = new Map<string, Entry>();

  constructor(limits: Partial<GuessLimits> = {}) {
    this.limits = { ...DEFAULT_GUESS_LIMITS, ...limits };
  }

  /** True when any of the keys is backing off at `now`: the attempt must be refused without being verified. */
  isThrottled(keys: readonly string[], now: Date): boolean {
    const t = now.getTime();
    return keys.some((key) => (this.entries.get(key)?.blockedUntil ?? -Infinity) > t);
  }

  /** Throws AWS's Throttling error when any of the keys is backing off at `now`. */
  check(keys: readonly string[], now: Date): void {
    if (this.isThrottled(keys, now)) throw throttling();
  }

  /** Counts a failed guess against every key. */
  recordFailure(keys: readonly string[], now: Date): void {
    const t = now.getTime();
    const { maxFailures, windowMs, firstBackoffMs, maxBackoffMs } = this.limits;
    for (const key of keys) {
      const entry = this.take(key, t);
      entry.failures = entry.failures.filter((at) => at > t - windowMs);
      entry.failures.push(t);
      // Once a key has earned a back-off, each further failure before it is quiet earns the next, longer one.
      if (entry.strikes > 0 || entry.failures.length >= maxFailures) {
        entry.blockedUntil = t + Math.min(maxBackoffMs, firstBackoffMs * 2 ** Math.min(entry.strikes, 30));
        entry.strikes += 1;
        entry.failures = [];
      }
      entry.lastSeen = Math.max(t, entry.blockedUntil);
      this.entries.set(key, entry);
    }
  }

  /**
   * Forgets the keys after a correct guess. Pass only the keys the secret belongs to (the device, the user), not the
   * source address: knowing one's own secret says nothing about the other guesses coming from that address.
   */
  recordSuccess(keys: readonly string[]): void {
    for (const key of keys) this.entries.delete(key);
  }

  /** Keys remembered now (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  /** The key's live entry, removed from the map (the caller puts it back last), or a fresh one. */
  private take(key: string, t: number): Entry {
    const found = this.entries.get(key);
    if (found !== undefined) {
      this.entries.delete(key);
      if (t < found.lastSeen + this.limits.quietMs) return found;
    } else if (this.entries.size >= this.limits.maxEntries) {
      this.evict(t);
    }
    return { failures: [], strikes: 0, blockedUntil: -Infinity, lastSeen: t };
  }

  /**
   * Makes room: first every key that has been quiet long enough, then, if that is not enough, a tenth of the map
   * (so the cost is paid once per many insertions), fewest back-offs first and among those the least recently
   * touched. A key under sustained attack has the most back-offs, so an attacker cannot push it out cheaply.
   */
  private evict(t: number): void {
    const { quietMs, maxEntries } = this.limits;
    for (const [key, entry] of this.entries) if (t >= entry.lastSeen + quietMs) this.entries.delete(key);
    if (this.entries.size < maxEntries) return;
    const ranked = [...this.entries].sort(([, a], [, b]) => a.strikes - b.strikes || a.lastSeen - b.lastSeen);
    const drop = Math.max(1, this.entries.size - maxEntries + Math.ceil(maxEntries / 10));
    for (const [key] of ranked.slice(0, drop)) this.entries.delete(key);
  }
}
