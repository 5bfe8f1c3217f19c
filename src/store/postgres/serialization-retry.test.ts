import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffMs, isRetryable } from './serialization-retry.js';

describe('serialization retry', () => {
  for (const { error, retryable } of [
    { error: { code: '40001' }, retryable: true },
    { error: Object.assign(new Error('deadlock detected'), { code: '40P01' }), retryable: true },
    { error: { code: '23505' }, retryable: false },
    { error: { code: '25P02' }, retryable: false },
    { error: { code: 40001 }, retryable: false },
    { error: new Error('could not serialize access'), retryable: false },
    { error: undefined, retryable: false },
    { error: null, retryable: false },
  ]) {
    test(`isRetryable(${JSON.stringify(error) ?? String(error)}) is ${retryable}`, () => {
      assert.equal(isRetryable(error), retryable);
    });
  }

  test('backoff is a random share of a cap that doubles per attempt, up to 50 ms', () => {
    for (const [attempt, cap] of [[1, 2], [2, 4], [3, 8], [5, 32], [6, 50], [30, 50]] as const) {
      assert.equal(backoffMs(attempt, () => 0), 0);
      assert.equal(backoffMs(attempt, () => 0.5), cap / 2, `attempt ${attempt}`);
      assert.ok(backoffMs(attempt, () => 0.999999) < cap);
    }
  });
});
