import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentDecode, uriEncode } from './uri-encode.js';

describe('uriEncode', () => {
  const cases: Array<[string, string]> = [
    ['-._~AZaz09', '-._~AZaz09'],
    ['a b', 'a%20b'],
    ['a+b', 'a%2Bb'],
    ['a/b', 'a%2Fb'],
    ['%', '%25'],
    ['=&;', '%3D%26%3B'],
    ['ሴ', '%E1%88%B4'],
    ['', ''],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} -> ${expected}`, () => assert.equal(uriEncode(input), expected));
  }
  it('encodes bytes that are not UTF-8', () => assert.equal(uriEncode(Buffer.from([0xff, 0x41])), '%FFA'));
});

describe('percentDecode', () => {
  const cases: Array<[string, number[]]> = [
    ['abc', [0x61, 0x62, 0x63]],
    ['%41%62', [0x41, 0x62]],
    ['%e1%88%b4', [0xe1, 0x88, 0xb4]],
    ['a+b', [0x61, 0x2b, 0x62]],
    ['%', [0x25]],
    ['%4', [0x25, 0x34]],
    ['%zz', [0x25, 0x7a, 0x7a]],
    ['%FF', [0xff]],
    ['ሴ%20', [0xe1, 0x88, 0xb4, 0x20]],
  ];
  for (const [input, bytes] of cases) {
    it(JSON.stringify(input), () => assert.deepEqual([...percentDecode(input)], bytes));
  }
});
