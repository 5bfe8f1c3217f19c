// Complexity guards for policy wildcards: the shapes that make a backtracking matcher take exponential time
// (`a*a*…*b`, `*a*a*…`), in every place a policy author's pattern meets a request value, over 2048-character values.
// A backtracking matcher would need longer than the age of the universe for these; a linear one takes microseconds.
// The cases run in a worker so that a matcher that backtracks makes the test fail at a generous timeout instead of
// hanging the test run. No speed is asserted (a loaded machine must not fail the run): each match's time is printed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';

/** Worker start-up (loading TypeScript) plus every case; a backtracking matcher needs far longer than this. */
const TIMEOUT_MS = 20_000;
const N = 2048;
const ACCT = '111122223333';
const USER = `arn:aws:iam::${ACCT}:user/alice`;

const stars = (unit: string, count: number, end: string): string => unit.repeat(count) + end;
const doc = (statement: Record<string, unknown>): Record<string, unknown> => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', ...statement }] });

interface Case {
  readonly name: string;
  /** `engine`: compilePolicies(identity policy).evaluate(request); the others call the matcher directly. */
  readonly kind: 'engine' | 'textGlob' | 'textGlobIgnoreCase' | 'glob' | 'arnGlob' | 'arnGlobStrict';
  readonly policy?: Record<string, unknown>;
  readonly request?: Record<string, unknown>;
  readonly pattern?: unknown;
  readonly value?: string;
  /** The decision (engine) or match result the slow value must still get. */
  readonly expected: string | boolean;
}

const longName = 'a'.repeat(N);
const CASES: Case[] = [
  {
    name: 'Resource arn:…:user/a*a*…*b against user/aaa…',
    kind: 'engine',
    policy: doc({ Action: 'iam:GetUser', Resource: `arn:aws:iam::${ACCT}:user/${stars('a*', 40, 'b')}` }),
    request: { principal: USER, action: 'iam:GetUser', resource: `arn:aws:iam::${ACCT}:user/${longName}` },
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'Resource *a*a*…*b (not an ARN pattern)',
    kind: 'engine',
    policy: doc({ Action: 'iam:GetUser', Resource: stars('*a', 40, '*b') }),
    request: { principal: USER, action: 'iam:GetUser', resource: `arn:aws:iam::${ACCT}:user/${longName}` },
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'Resource with segment-bound stars before the resource part (arn:a*a*…b:iam::…)',
    kind: 'engine',
    policy: doc({ Action: 'iam:GetUser', Resource: `arn:${stars('a*', 40, 'b')}:iam::${ACCT}:user/x` }),
    request: { principal: USER, action: 'iam:GetUser', resource: `arn:${longName}:iam::${ACCT}:user/x` },
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'NotResource a*a*…*b',
    kind: 'engine',
    policy: doc({ Action: 'iam:GetUser', NotResource: `arn:aws:iam::${ACCT}:user/${stars('a*', 40, 'b')}` }),
    request: { principal: USER, action: 'iam:GetUser', resource: `arn:aws:iam::${ACCT}:user/${longName}` },
    expected: 'Allowed',
  },
  {
    name: 'Action iam:a*a*…*b against a 2048-character action',
    kind: 'engine',
    policy: doc({ Action: `iam:${stars('a*', 40, 'b')}`, Resource: '*' }),
    request: { principal: USER, action: `iam:${longName}`, resource: '*' },
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'NotAction *A*A*…*B (case folded)',
    kind: 'engine',
    policy: doc({ NotAction: stars('*A', 40, '*B'), Resource: '*' }),
    request: { principal: USER, action: `iam:${longName}`, resource: '*' },
    expected: 'Allowed',
  },
  {
    name: 'StringLike a*a*…*b on a long context value',
    kind: 'engine',
    policy: doc({ Action: 'iam:GetUser', Resource: '*', Condition: { StringLike: { 'aws:PrincipalTag/team': stars('a*', 40, 'b') } } }),
    request: { principal: USER, action: 'iam:GetUser', resource: '*', context: { 'aws:PrincipalTag/team': longName } },
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'ForAnyValue:StringNotLike *a*a*… with a variable on a long value',
    kind: 'engine',
    policy: doc({ Action: 'iam:GetUser', Resource: '*', Condition: { 'ForAnyValue:StringNotLike': { 'aws:TagKeys': `${stars('*a', 40, '')}\${aws:username}` } } }),
    request: { principal: USER, action: 'iam:GetUser', resource: '*', context: { 'aws:TagKeys': [longName, `${longName}b`] } },
    expected: 'Allowed',
  },
  {
    name: 'ArnLike with stars in the resource part',
    kind: 'engine',
    policy: doc({ Action: 'iam:GetUser', Resource: '*', Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:sqs:*:*:${stars('a*', 40, 'b')}` } } }),
    request: { principal: USER, action: 'iam:GetUser', resource: '*', context: { 'aws:SourceArn': `arn:aws:sqs:us-east-1:${ACCT}:${longName}` } },
    expected: 'ImplicitlyDenied',
  },
  {
    name: 'ArnLike with segment-bound stars in the region segment',
    kind: 'engine',
    policy: doc({ Action: 'iam:GetUser', Resource: '*', Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:sqs:${stars('a*', 40, 'b')}:*:q` } } }),
    request: { principal: USER, action: 'iam:GetUser', resource: '*', context: { 'aws:SourceArn': `arn:aws:sqs:${longName}:${ACCT}:q` } },
    expected: 'ImplicitlyDenied',
  },
  { name: 'compileTextGlob a*a*…*b', kind: 'textGlob', pattern: stars('a*', 200, 'b'), value: longName, expected: false },
  { name: 'compileTextGlob a*a*…*b* (the last segment fails in the middle)', kind: 'textGlob', pattern: stars('a*', 200, 'b*'), value: longName, expected: false },
  { name: 'compileTextGlob *a*a*…*a (matches)', kind: 'textGlob', pattern: stars('*a', 200, ''), value: longName, expected: true },
  { name: 'compileTextGlob a?a?…b between stars', kind: 'textGlob', pattern: `*${stars('a?', 100, 'b')}*`, value: longName, expected: false },
  { name: 'compileTextGlob ignoreCase *A*A*…*B', kind: 'textGlobIgnoreCase', pattern: stars('*A', 200, '*B'), value: longName, expected: false },
  { name: 'compileGlob with literal parts', kind: 'glob', pattern: [{ value: stars('a*', 100, ''), wild: true }, { value: '*b', wild: false }], value: longName, expected: false },
  { name: 'compileArnGlob, stars everywhere', kind: 'arnGlob', pattern: `arn:${stars('a*', 200, ':')}${stars('a*', 200, ':')}*:*:${stars('a*', 400, 'b')}`, value: `arn:${'a'.repeat(500)}:${'a'.repeat(500)}:x:y:${'a'.repeat(N)}`, expected: false },
  { name: 'compileArnGlob strict, stars in every segment', kind: 'arnGlobStrict', pattern: `arn:${stars('a*', 200, 'b')}:${stars('a*', 200, 'b')}:*:*:${stars('*a', 400, '*b')}`, value: `arn:${'a'.repeat(N)}:${'a'.repeat(N)}:x:y:${'a'.repeat(N)}`, expected: false },
];

// Runs every case in order and posts `[index, result, fastest of three runs in ms]` for each, after warming the
// code up on a short value (a complexity guard, not a measure of the first, unoptimised call).
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { tsImport } = await import(workerData.tsx);
  const { compilePolicies } = await tsImport(workerData.engine, workerData.engine);
  const w = await tsImport(workerData.wildcard, workerData.wildcard);
  const matcherOf = (c) => {
    switch (c.kind) {
      case 'textGlob': { const m = w.compileTextGlob(c.pattern); return () => m(c.value); }
      case 'textGlobIgnoreCase': { const m = w.compileTextGlob(c.pattern, { ignoreCase: true }); return () => m(c.value); }
      case 'glob': { const m = w.compileGlob(c.pattern); return () => m(c.value); }
      case 'arnGlob': { const m = w.compileArnGlob([{ value: c.pattern, wild: true }]); return () => m(c.value); }
      case 'arnGlobStrict': { const m = w.compileArnGlob([{ value: c.pattern, wild: true }], { strictSegments: true }); return () => m(c.value); }
      default: { const set = compilePolicies({ identityPolicies: [c.policy] }); return () => set.evaluate(c.request).decision; }
    }
  };
  const shorten = (text) => (typeof text === 'string' ? text.replace(/a{64,}/g, 'a'.repeat(32)) : text);
  const shortened = (c) => ({ ...c, value: shorten(c.value), request: c.request && JSON.parse(shorten(JSON.stringify(c.request))) });
  workerData.cases.forEach((c, i) => {
    const warm = matcherOf(shortened(c));
    for (let k = 0; k < 20; k++) warm();
    const run = matcherOf(c);
    let best = Infinity;
    let result;
    for (let k = 0; k < 3; k++) {
      const start = performance.now();
      result = run();
      best = Math.min(best, performance.now() - start);
    }
    parentPort.postMessage([i, result, best]);
  });
})().catch((error) => parentPort.postMessage(['error', String(error && error.stack)]));
`;

describe(`policy wildcards over ${N}-character values match in linear time`, () => {
  const results = new Map<number, { result: unknown; ms: number }>();
  let failure: string | undefined;
  let worker: Worker | undefined;

  before(async () => {
    const here = import.meta.url;
    worker = new Worker(WORKER, {
      eval: true,
      workerData: { tsx: import.meta.resolve('tsx/esm/api'), engine: new URL('./engine.ts', here).href, wildcard: new URL('./wildcard.ts', here).href, cases: CASES },
    });
    const w = worker;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        failure = `no answer within ${TIMEOUT_MS} ms after ${results.size} of ${CASES.length} cases: the matcher backtracks`;
        resolve();
      }, TIMEOUT_MS);
      w.on('message', (message: [number | 'error', unknown, number]) => {
        if (message[0] === 'error') failure = String(message[1]);
        else results.set(message[0], { result: message[1], ms: message[2] });
        if (failure !== undefined || results.size === CASES.length) {
          clearTimeout(timer);
          resolve();
        }
      });
      w.on('error', (error) => {
        failure = String(error);
        clearTimeout(timer);
        resolve();
      });
    });
  });

  after(async () => {
    await worker?.terminate();
  });

  CASES.forEach((c, i) => {
    test(c.name, (t) => {
      const got = results.get(i);
      assert.ok(got !== undefined, failure ?? 'no result');
      t.diagnostic(`${got.ms.toFixed(3)} ms`);
      assert.equal(got.result, c.expected);
    });
  });
});
