import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalUri } from './canonical-uri.js';

describe('canonicalUri', () => {
  const cases: Array<[string, string]> = [
    ['', '/'],
    ['/', '/'],
    ['//', '/'],
    ['/./', '/'],
    ['/example/..', '/'],
    ['/example1/example2/../..', '/'],
    ['/../..', '/'],
    ['/./example', '/example'],
    ['//example//', '/example/'],
    ['/a/./b/../c', '/a/c'],
    ['/example space/', '/example%20space/'],
    // Already encoded by the client, so encoded again: the "encode twice" rule for services other than S3.
    ['/example%20space/', '/example%2520space/'],
    ['/ሴ', '/%E1%88%B4'],
    ['/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'],
    ['/a:b@c', '/a%3Ab%40c'],
  ];
  for (const [path, expected] of cases) {
    it(`${JSON.stringify(path)} -> ${expected}`, () => assert.equal(canonicalUri(path), expected));
  }
});
