/**
 * SQLSTATEs after which running the same work again can succeed: serialization_failure (SERIALIZABLE found the
 * transaction could not be ordered with a concurrent one, or a row it wrote changed under it) and
 * deadlock_detected. Anything else (a constraint the work broke, a lost connection) would fail the same way again,
 * or could have committed: those surface at once.
 */
const RETRYABLE_SQLSTATES: ReadonlySet<string> = new Set(['40001', '40P01']);

export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && RETRYABLE_SQLSTATES.has(code);
}

/** How many times a transaction runs in all before its serialization failure surfaces. */
export const DEFAULT_MAX_ATTEMPTS = 10;

const BASE_BACKOFF_MS = 2;
const MAX_BACKOFF_MS = 200;

/**
 * "Full jitter" exponential backoff: a random wait up to a cap that doubles per attempt. The randomness matters
 * more than the growth: two nodes that collided and waited the same fixed time would collide again.
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  return random() * Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** attempt);
}
