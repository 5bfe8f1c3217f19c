import { ServiceError } from '../../core/errors.js';

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

/**
 * How long a transaction keeps being retried after serialization failures before the caller is told to back off.
 * A count would not do: how many runs a burst of writers across nodes costs depends on how many there are, while
 * the time a client will wait for an answer does not. Several seconds is far beyond what contention between a
 * handful of nodes costs (milliseconds), yet well inside an SDK's request timeout.
 */
export const DEFAULT_RETRY_BUDGET_MS = 10_000;

const BASE_BACKOFF_MS = 1;
/**
 * Kept small: a node's write transactions run one at a time, so the wait holds up every write queued behind it,
 * and PostgreSQL's SSI already ensures that a retry started after the winner committed does not fail against it.
 */
const MAX_BACKOFF_MS = 50;

/**
 * "Full jitter" exponential backoff: a random wait up to a cap that doubles per attempt. The randomness matters
 * more than the growth: two nodes that collided and waited the same fixed time would collide again.
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  return random() * Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** attempt);
}

/**
 * The answer when the budget ran out: AWS's throttling error (HTTP 400, which the SDKs and the CLI retry on their
 * own after a backoff) rather than a 500 that says the service failed. The database's last error is its cause.
 */
export function retriesExhausted(cause: unknown): ServiceError {
  return Object.assign(new ServiceError('Throttling', 'Rate exceeded', 400, 'Sender'), { cause });
}
