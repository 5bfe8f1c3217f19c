import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { flushLogger, RateLimitedLog } from './logger.js';
import { capturedLogger } from './testing.js';

describe('RateLimitedLog', () => {
  for (const { name, events, lines, expected } of [
    { name: 'under the limit: every line', events: [0, 1, 2], lines: 5, expected: ['e0', 'e1', 'e2'] },
    { name: 'over the limit: the first N, then one summary when the next window starts', events: [0, 1, 2, 3, 4, 60_000], lines: 2, expected: ['e0', 'e1', 'suppressed 3 similar client errors', 'e5'] },
    { name: 'a new window writes N more', events: [0, 1, 2, 60_001, 60_002, 60_003], lines: 2, expected: ['e0', 'e1', 'suppressed 1 similar client errors', 'e3', 'e4'] },
  ]) {
    test(name, async () => {
      const { lines: out, logger } = capturedLogger();
      let now = 0;
      const log = new RateLimitedLog(logger, 'info', 'client errors', { lines, windowMs: 60_000, now: () => now });
      events.forEach((at, i) => {
        now = at;
        log.log({ i }, `e${i}`);
      });
      await flushLogger(logger);
      // The last window's suppressed lines wait for its end (or close): not part of `expected`.
      const summaryAtClose = out.length;
      log.summarize();
      await flushLogger(logger);
      assert.deepEqual(out.slice(0, summaryAtClose).map((l) => l['msg']), expected);
      assert.ok(out.every((l) => l['level'] === 30));
    });
  }

  test('the summary is written at the window end without another event', async () => {
    const { lines: out, logger } = capturedLogger();
    const log = new RateLimitedLog(logger, 'warn', 'refused connections', { lines: 1, windowMs: 50 });
    for (let i = 0; i < 100; i++) log.log({}, 'refused');
    await new Promise((resolve) => setTimeout(resolve, 120));
    await flushLogger(logger);
    assert.deepEqual(out.map((l) => l['msg']), ['refused', 'suppressed 99 similar refused connections']);
    assert.equal(out[1]?.['suppressed'], 99);
  });
});
