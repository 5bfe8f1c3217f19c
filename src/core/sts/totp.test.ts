import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeAt, currentCode, findConsecutive, findStep, newSeed, otpauthUri, timeStep } from './totp.js';

// RFC 6238 appendix B's SHA-1 seed ("12345678901234567890" in ASCII) in Base32; its 8-digit vectors end in these
// six digits, which is what a 6-digit device shows.
const RFC_SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

const vectors: ReadonlyArray<[number, string]> = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
];

for (const [seconds, code] of vectors) {
  test(`RFC 6238 vector at T=${seconds}`, () => {
    assert.equal(currentCode(RFC_SEED, new Date(seconds * 1000)), code);
  });
}

test('time steps are 30 seconds', () => {
  assert.equal(timeStep(new Date(29_999)), 0);
  assert.equal(timeStep(new Date(30_000)), 1);
  assert.equal(timeStep(new Date(59 * 1000)), 1);
});

test('a new seed is 64 Base32 characters, as AWS issues them, and differs every time', () => {
  const a = newSeed();
  assert.match(a, /^[A-Z2-7]{64}$/);
  assert.notEqual(a, newSeed());
});

const STEP = 1_000_000;
const windows: ReadonlyArray<[string, number, number, number | undefined]> = [
  ['the current step', STEP, STEP, STEP],
  ['one step behind, inside the window', STEP - 1, STEP, STEP - 1],
  ['one step ahead, inside the window', STEP + 1, STEP, STEP + 1],
  ['two steps behind, outside', STEP - 2, STEP, undefined],
  ['two steps ahead, outside', STEP + 2, STEP, undefined],
];

for (const [name, codeStep, now, expected] of windows) {
  test(`findStep: ${name}`, () => {
    assert.equal(findStep(RFC_SEED, codeAt(RFC_SEED, codeStep), now - 1, now + 1), expected);
  });
}

const pairs: ReadonlyArray<[string, number, number, number | undefined]> = [
  ['consecutive codes', STEP - 1, STEP, STEP],
  ['the same code twice', STEP, STEP, undefined],
  ['swapped order', STEP, STEP - 1, undefined],
  ['a gap of one step', STEP - 2, STEP, undefined],
];

for (const [name, first, second, expected] of pairs) {
  test(`findConsecutive: ${name}`, () => {
    assert.equal(findConsecutive(RFC_SEED, codeAt(RFC_SEED, first), codeAt(RFC_SEED, second), STEP - 2, STEP + 1), expected);
  });
}

test('the otpauth URI names TOTP with SHA1, 6 digits, 30 s and carries the seed', () => {
  const uri = new URL(otpauthUri(RFC_SEED, 'Gatehouse', 'dev@111122223333'));
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.host, 'totp');
  assert.equal(uri.searchParams.get('secret'), RFC_SEED);
  assert.equal(uri.searchParams.get('algorithm'), 'SHA1');
  assert.equal(uri.searchParams.get('digits'), '6');
  assert.equal(uri.searchParams.get('period'), '30');
});
