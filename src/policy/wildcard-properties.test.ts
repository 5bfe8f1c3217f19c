// The non-backtracking matchers against the naive references, on random patterns in parts (literal pieces stand for
// substituted variables) over an alphabet full of the characters that matter: `*`, `?`, `:`, `/`, mixed case, a
// character outside the BMP (two UTF-16 code units) and characters whose lower case is special.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { ResolvedPart } from './variables.js';
import { compileArnGlob, compileGlob, referencePartsMatch } from './wildcard.js';

// 'İ' lowers to two code units, 'K' (Kelvin sign) to 'k'; '😀' is a surrogate pair.
const ALPHABET = ['a', 'b', 'A', 'B', ':', '/', '-', '*', '?', 'İ', 'K', 'k', '😀'];
const text = (max: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(...ALPHABET), { maxLength: max }).map((cs) => cs.join(''));
const part: fc.Arbitrary<ResolvedPart> = fc.record({ value: text(6), wild: fc.boolean() });
const parts = (arn: boolean): fc.Arbitrary<ResolvedPart[]> =>
  fc
    .tuple(fc.constantFrom(...(arn ? ['arn:', 'arn:a:', 'arn:aws:s3:', 'arn:aws:s3:::', 'arn:*:*:*:*:', ''] : [''])), fc.array(part, { minLength: 1, maxLength: 3 }))
    .map(([head, rest]) => (head === '' ? rest : [{ value: head, wild: true }, ...rest]));

/** A value that the pattern likely matches, mutated a little, or an unrelated one. */
function valueFor(ps: readonly ResolvedPart[]): fc.Arbitrary<string> {
  const units = ps.flatMap((p) => [...p.value].map((ch) => ({ ch, wild: p.wild })));
  const filled = fc
    .array(fc.constantFrom('', 'a', ':', 'b/', 'A:b', '😀', 'İ'), { minLength: units.length, maxLength: units.length })
    .map((fills) => units.map((u, i) => (!u.wild ? u.ch : u.ch === '*' ? (fills[i] ?? '') : u.ch === '?' ? ([...(fills[i] ?? '')][0] ?? 'x') : u.ch)).join(''));
  const mutated = fc.tuple(filled, fc.nat(), fc.constantFrom(...ALPHABET, '')).map(([v, at, ch]) => {
    const i = v.length === 0 ? 0 : at % v.length;
    return v.slice(0, i) + ch + v.slice(i + 1);
  });
  return fc.oneof(filled, filled, mutated, text(12));
}

const cases = (arn: boolean) => parts(arn).chain((ps) => fc.record({ ps: fc.constant(ps), value: valueFor(ps) }));
const show = (ps: readonly ResolvedPart[], v: string): string => JSON.stringify({ parts: ps, value: v });

describe('non-backtracking matchers agree with the references', () => {
  test('the generated cases match often enough to mean something', (t) => {
    const samples = fc.sample(cases(true), { numRuns: 2000, seed: 9 });
    const hits = samples.filter(({ ps, value }) => referencePartsMatch(ps, value, { arn: { strict: false } })).length;
    t.diagnostic(`matching: ${hits} of ${samples.length}`);
    assert.ok(hits / samples.length >= 0.25, `match share ${hits / samples.length}`);
  });

  const runs = { numRuns: 4000 };
  test('compileGlob, case sensitive', () => {
    fc.assert(fc.property(cases(false), ({ ps, value }) => assert.equal(compileGlob(ps)(value), referencePartsMatch(ps, value), show(ps, value))), { ...runs, seed: 21 });
  });

  test('compileGlob, ignoreCase (toLowerCase on both sides)', () => {
    fc.assert(
      fc.property(cases(false), ({ ps, value }) => assert.equal(compileGlob(ps, { ignoreCase: true })(value), referencePartsMatch(ps, value, { ignoreCase: true }), show(ps, value))),
      { ...runs, seed: 22 },
    );
  });

  test('compileArnGlob (Resource)', () => {
    fc.assert(
      fc.property(cases(true), ({ ps, value }) => assert.equal(compileArnGlob(ps)(value), referencePartsMatch(ps, value, { arn: { strict: false } }), show(ps, value))),
      { ...runs, seed: 23 },
    );
  });

  test('compileArnGlob with strictSegments (Arn* operators)', () => {
    fc.assert(
      fc.property(cases(true), ({ ps, value }) =>
        assert.equal(compileArnGlob(ps, { strictSegments: true })(value), referencePartsMatch(ps, value, { arn: { strict: true } }), show(ps, value)),
      ),
      { ...runs, seed: 24 },
    );
  });

  test('a compiled matcher gives the same answers when reused (no state leaks between calls)', () => {
    fc.assert(
      fc.property(cases(true), fc.array(text(10), { maxLength: 4 }), ({ ps, value }, others) => {
        const match = compileArnGlob(ps, { strictSegments: true });
        const first = match(value);
        for (const o of others) match(o);
        assert.equal(match(value), first);
      }),
      { numRuns: 1000, seed: 25 },
    );
  });
});
