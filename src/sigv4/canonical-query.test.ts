import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalQuery, parseQuery } from './canonical-query.js';

describe('canonicalQuery', () => {
  const cases: Array<[string, string]> = [
    ['', ''],
    ['Param2=value2&Param1=value1', 'Param1=value1&Param2=value2'],
    ['Param-3=Value3&Param=Value2&%E1%88%B4=Value1', '%E1%88%B4=Value1&Param=Value2&Param-3=Value3'],
    ['ሴ=bar', '%E1%88%B4=bar'],
    ['%e1%88%b4=bar', '%E1%88%B4=bar'],
    ['b=2&a=2&a=1', 'a=1&a=2&b=2'],
    ['flag', 'flag='],
    ['a=&b', 'a=&b='],
    ['a=1&&b=2&', 'a=1&b=2'],
    ['a=x y', 'a=x%20y'],
    ['a=x+y', 'a=x%2By'],
    ['a=%2F%3D', 'a=%2F%3D'],
    ['a=/=', 'a=%2F%3D'],
    ['Z=1&a=1', 'Z=1&a=1'],
    ['-._~=-._~', '-._~=-._~'],
  ];
  for (const [query, expected] of cases) {
    it(`${JSON.stringify(query)} -> ${JSON.stringify(expected)}`, () => assert.equal(canonicalQuery(parseQuery(query)), expected));
  }

  it('leaves out the excluded parameters by decoded name', () => {
    const parameters = parseQuery('X-Amz-Signature=abc&b=1&X%2DAmz%2DSignature=def');
    assert.equal(canonicalQuery(parameters, new Set(['X-Amz-Signature'])), 'b=1');
  });
});

describe('parseQuery', () => {
  it('keeps raw and decoded forms', () => {
    assert.deepEqual(parseQuery('X-Amz-Credential=AKID%2F20150830&x'), [
      { rawName: 'X-Amz-Credential', rawValue: 'AKID%2F20150830', name: 'X-Amz-Credential', value: 'AKID/20150830' },
      { rawName: 'x', rawValue: '', name: 'x', value: '' },
    ]);
  });
});
