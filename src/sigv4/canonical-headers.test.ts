import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalHeaders, canonicalHeaderValue, indexHeaders } from './canonical-headers.js';

describe('canonicalHeaderValue', () => {
  const cases: Array<[string[], string]> = [
    [['value1'], 'value1'],
    [[' value1 '], 'value1'],
    [['"a   b   c"'], '"a b c"'],
    [['value1\n  value2\n     value3'], 'value1 value2 value3'],
    [['a\t\tb'], 'a b'],
    [['value2', 'value2', 'value1'], 'value2,value2,value1'],
    [[' x ', ' y'], 'x,y'],
    [[''], ''],
    [[], ''],
    // Only ASCII whitespace collapses.
    [['a\u00a0\u00a0b'], 'a\u00a0\u00a0b'],
  ];
  for (const [values, expected] of cases) {
    it(`${JSON.stringify(values)} -> ${JSON.stringify(expected)}`, () => assert.equal(canonicalHeaderValue(values), expected));
  }
});

describe('canonicalHeaders', () => {
  const headers = indexHeaders([
    ['Host', 'example.amazonaws.com'],
    ['my-header1', 'value4'],
    ['x-amz-date', '20150830T123600Z'],
    ['my-header1', 'value1'],
    ['unsigned', 'ignored'],
  ]);
  it('lists only the signed headers, in the given order, repeated values joined', () => {
    assert.equal(
      canonicalHeaders(headers, ['host', 'my-header1', 'x-amz-date']),
      'host:example.amazonaws.com\nmy-header1:value4,value1\nx-amz-date:20150830T123600Z\n',
    );
  });
  it('signs a missing header as empty', () => {
    assert.equal(canonicalHeaders(headers, ['host', 'x-absent']), 'host:example.amazonaws.com\nx-absent:\n');
  });
});
