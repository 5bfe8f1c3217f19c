import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sameSignature } from './same-signature.js';

const A = 'a'.repeat(63) + 'f';

describe('sameSignature', () => {
  const cases: Array<[string, string, string, boolean]> = [
    ['the same signature', A, A, true],
    ['the same in upper case (hex is case-insensitive)', A, A.toUpperCase(), true],
    ['one character differs', A, `${'a'.repeat(63)}e`, false],
    ['the first character differs', A, `b${A.slice(1)}`, false],
    ['shorter', A, A.slice(1), false],
    ['longer', A, `${A}0`, false],
    ['empty', A, '', false],
    ['non-64 lengths that match', 'abc', 'ABC', true],
    ['non-64 lengths that differ', 'abc', 'abd', false],
  ];
  for (const [name, expected, provided, same] of cases) {
    it(name, () => assert.equal(sameSignature(expected, provided), same));
  }

  it('keeps no state between calls: a match after a mismatch, and the other way round', () => {
    assert.equal(sameSignature(A, `b${A.slice(1)}`), false);
    assert.equal(sameSignature(A, A), true);
    assert.equal(sameSignature(A, `${'a'.repeat(63)}0`), false);
  });
});
