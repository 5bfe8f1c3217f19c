import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceError } from './errors.js';
import { DEFAULT_GUESS_LIMITS, GuessLimiter, type GuessLimits } from './guess-limiter.js';

const LIMITS: GuessLimits = { maxFailures: 5, windowMs: 30_000, firstBackoffMs: 10_000, maxBackoffMs: 60_000, quietMs: 300_000, maxEntries: 100 };
const T0 = Date.parse('2026-12-01T00:00:00Z');
const at = (ms: number): Date => new Date(T0 + ms);

/** One step of a scenario: a failure or success recorded, or what `isThrottled` says, at a time after T0. */
type Step =
  | { readonly fail: readonly string[]; readonly t: number }
  | { readonly succeed: readonly string[] }
  | { readonly throttled: readonly string[]; readonly t: number; readonly expect: boolean };

const failures = (keys: readonly string[], times: readonly number[]): Step[] => times.map((t) => ({ fail: keys, t }));

const cases: ReadonlyArray<{ name: string; steps: readonly Step[] }> = [
  {
    name: 'four failures in the window do not throttle; the fifth does, for the first back-off',
    steps: [
      ...failures(['d'], [0, 1_000, 2_000, 3_000]),
      { throttled: ['d'], t: 3_001, expect: false },
      { fail: ['d'], t: 4_000 },
      { throttled: ['d'], t: 4_001, expect: true },
      { throttled: ['d'], t: 13_999, expect: true },
      { throttled: ['d'], t: 14_000, expect: false },
    ],
  },
  {
    name: 'failures spread wider than the window never throttle',
    steps: [...failures(['d'], [0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000]), { throttled: ['d'], t: 70_001, expect: false }],
  },
  {
    name: 'each further failure before the key is quiet doubles the back-off, up to the cap',
    steps: [
      ...failures(['d'], [0, 1, 2, 3, 4]), // blocked 10 s, until 10_004
      { fail: ['d'], t: 10_004 }, // 20 s
      { throttled: ['d'], t: 30_003, expect: true },
      { throttled: ['d'], t: 30_004, expect: false },
      { fail: ['d'], t: 30_004 }, // 40 s
      { throttled: ['d'], t: 70_003, expect: true },
      { fail: ['d'], t: 70_004 }, // 80 s, capped at 60 s
      { throttled: ['d'], t: 130_003, expect: true },
      { throttled: ['d'], t: 130_004, expect: false },
      { fail: ['d'], t: 130_004 }, // still 60 s
      { throttled: ['d'], t: 190_004, expect: false },
    ],
  },
  {
    name: 'after the quiet period (from the end of the back-off) the key starts afresh: one failure does not throttle',
    steps: [
      ...failures(['d'], [0, 1, 2, 3, 4]), // blocked until 10_004
      { fail: ['d'], t: 10_004 + LIMITS.quietMs },
      { throttled: ['d'], t: 10_005 + LIMITS.quietMs, expect: false },
    ],
  },
  {
    name: 'just before the quiet period ends, one failure throttles again',
    steps: [
      ...failures(['d'], [0, 1, 2, 3, 4]),
      { fail: ['d'], t: 10_003 + LIMITS.quietMs },
      { throttled: ['d'], t: 10_004 + LIMITS.quietMs, expect: true },
    ],
  },
  {
    name: 'a success forgets the key',
    steps: [...failures(['d'], [0, 1, 2, 3]), { succeed: ['d'] }, { fail: ['d'], t: 5 }, { throttled: ['d'], t: 6, expect: false }],
  },
  {
    name: 'keys are counted separately: a device and two addresses',
    steps: [
      ...failures(['dev', 'addr-a'], [0, 1, 2]),
      ...failures(['dev', 'addr-b'], [3, 4]),
      { throttled: ['dev'], t: 5, expect: true },
      { throttled: ['addr-a'], t: 5, expect: false },
      { throttled: ['addr-b'], t: 5, expect: false },
      { throttled: ['other-dev', 'addr-b'], t: 5, expect: false },
      { throttled: ['other-dev', 'dev'], t: 5, expect: true },
    ],
  },
  {
    name: 'an address that failed on five devices is throttled for every device',
    steps: [
      ...['d1', 'd2', 'd3', 'd4', 'd5'].map((d, i) => ({ fail: [d, 'addr'], t: i })),
      { throttled: ['d6', 'addr'], t: 5, expect: true },
      { throttled: ['d6', 'addr-2'], t: 5, expect: false },
      { throttled: ['d1', 'addr-2'], t: 5, expect: false },
    ],
  },
  {
    name: 'a success clears only the keys it names (the address keeps its failures)',
    steps: [
      ...failures(['dev', 'addr'], [0, 1, 2, 3]),
      { succeed: ['dev'] },
      { fail: ['dev2', 'addr'], t: 4 },
      { throttled: ['addr'], t: 5, expect: true },
      { throttled: ['dev'], t: 5, expect: false },
    ],
  },
];

describe('GuessLimiter', () => {
  for (const c of cases) {
    it(c.name, () => {
      const limiter = new GuessLimiter(LIMITS);
      c.steps.forEach((step, i) => {
        if ('fail' in step) limiter.recordFailure(step.fail, at(step.t));
        else if ('succeed' in step) limiter.recordSuccess(step.succeed);
        else assert.equal(limiter.isThrottled(step.throttled, at(step.t)), step.expect, `step ${i}: ${step.throttled.join(',')} at ${step.t}`);
      });
    });
  }

  it('check throws AWS Throttling (400, "Rate exceeded") while throttled and nothing otherwise', () => {
    const limiter = new GuessLimiter(LIMITS);
    limiter.check(['d'], at(0));
    for (let i = 0; i < 5; i++) limiter.recordFailure(['d'], at(i));
    assert.throws(
      () => limiter.check(['d'], at(5)),
      (e: unknown) => e instanceof ServiceError && e.code === 'Throttling' && e.status === 400 && e.message === 'Rate exceeded' && e.fault === 'Sender',
    );
    limiter.check(['d'], at(10_004));
  });

  it('memory is bounded: spraying keys never exceeds maxEntries, quiet keys go first', () => {
    const limiter = new GuessLimiter(LIMITS);
    for (let i = 0; i < 1_000; i++) {
      limiter.recordFailure([`addr-${i}`], at(i));
      assert.ok(limiter.size <= LIMITS.maxEntries, `size ${limiter.size} after ${i + 1}`);
    }
    // Long after: the next key finds every remembered one quiet and sweeps them all.
    limiter.recordFailure(['late'], at(1_000 + LIMITS.quietMs));
    assert.equal(limiter.size, 1);
  });

  it('a key under attack (backed off) survives an attacker filling the map with fresh keys', () => {
    const limiter = new GuessLimiter(LIMITS);
    for (let i = 0; i < 5; i++) limiter.recordFailure(['victim-device'], at(i));
    for (let i = 0; i < 10 * LIMITS.maxEntries; i++) limiter.recordFailure([`sprayed-${i}`], at(5));
    assert.equal(limiter.isThrottled(['victim-device'], at(6)), true);
    assert.ok(limiter.size <= LIMITS.maxEntries);
  });

  it('when every key has backed off, the least recently touched is evicted first', () => {
    const limiter = new GuessLimiter({ ...LIMITS, maxEntries: 10 });
    for (let k = 0; k < 10; k++) for (let i = 0; i < 5; i++) limiter.recordFailure([`k${k}`], at(k * 10 + i));
    limiter.recordFailure(['new'], at(200));
    assert.equal(limiter.isThrottled(['k0'], at(201)), false, 'the oldest was evicted');
    assert.equal(limiter.isThrottled(['k9'], at(201)), true, 'the newest stays');
    assert.ok(limiter.size <= 10);
  });

  it('defaults: 5 failures in 30 s, 30 s first back-off, capped at 5 minutes, quiet after 10 minutes', () => {
    assert.deepEqual(
      { ...DEFAULT_GUESS_LIMITS },
      { maxFailures: 5, windowMs: 30_000, firstBackoffMs: 30_000, maxBackoffMs: 300_000, quietMs: 600_000, maxEntries: 20_000 },
    );
    const limiter = new GuessLimiter();
    for (let i = 0; i < 5; i++) limiter.recordFailure(['d'], at(i));
    assert.equal(limiter.isThrottled(['d'], at(30_003)), true);
    assert.equal(limiter.isThrottled(['d'], at(30_004)), false);
  });
});
