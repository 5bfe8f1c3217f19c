import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CoalescedCheck } from './coalesced-check.js';

/** A check whose round trips the test answers by hand, in order. */
function manual(): { check: CoalescedCheck; sent: Array<{ answer: () => void; fail: (error: Error) => void }> } {
  const sent: Array<{ answer: () => void; fail: (error: Error) => void }> = [];
  const check = new CoalescedCheck(
    () =>
      new Promise<void>((resolve, reject) => {
        sent.push({ answer: resolve, fail: reject });
      }),
  );
  return { check, sent };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('CoalescedCheck', () => {
  test('a reader arriving while a check is in flight is answered by the next check, never by that one', async () => {
    const { check, sent } = manual();
    const settled: string[] = [];
    const first = check.fresh().then(() => settled.push('first'));
    assert.equal(sent.length, 1);
    // Two readers arrive while the first check is out: no new check yet, and the first answer is not theirs.
    const second = check.fresh().then(() => settled.push('second'));
    const third = check.fresh().then(() => settled.push('third'));
    assert.equal(sent.length, 1);
    sent[0]!.answer();
    await first;
    await tick();
    assert.deepEqual(settled, ['first']);
    // The next check left as soon as the first returned, and serves both waiting readers.
    assert.equal(sent.length, 2);
    sent[1]!.answer();
    await Promise.all([second, third]);
    assert.deepEqual(settled, ['first', 'second', 'third']);
    assert.equal(sent.length, 2);
  });

  test('one round trip serves every reader that arrived before it was sent', async () => {
    const { check, sent } = manual();
    check.fresh().catch(() => undefined);
    const waiting = Array.from({ length: 50 }, () => check.fresh());
    sent[0]!.answer();
    await tick();
    sent[1]!.answer();
    await Promise.all(waiting);
    assert.equal(sent.length, 2);
    // Idle again: the next reader sends at once.
    const later = check.fresh();
    assert.equal(sent.length, 3);
    sent[2]!.answer();
    await later;
  });

  test('a failed check fails exactly its readers; those waiting get a check of their own', async () => {
    const { check, sent } = manual();
    const first = check.fresh();
    const second = check.fresh();
    sent[0]!.fail(new Error('connection lost'));
    await assert.rejects(first, /connection lost/);
    assert.equal(sent.length, 2);
    sent[1]!.answer();
    await second;
  });

  test('a check that throws while sending rejects its readers and does not wedge the next', async () => {
    let calls = 0;
    const check = new CoalescedCheck(() => {
      calls += 1;
      if (calls === 1) throw new Error('not connected');
      return Promise.resolve();
    });
    await assert.rejects(check.fresh(), /not connected/);
    await check.fresh();
    assert.equal(calls, 2);
  });
});
