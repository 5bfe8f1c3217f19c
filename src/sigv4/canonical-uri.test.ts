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

  it('answers every short path over a mixed alphabet as resolving then encoding each segment does', () => {
    // The shortcut for already-canonical paths must agree with the general rule everywhere: every path of up to five
    // characters over slashes, dots, unreserved letters and characters that need encoding.
    const alphabet = ['/', '.', 'a', '~', '-', '%', ' '];
    const reference = (path: string): string => {
      const segments: string[] = [];
      for (const segment of path.split('/')) {
        if (segment === '' || segment === '.') continue;
        if (segment === '..') segments.pop();
        else segments.push(encodeURIComponent(segment));
      }
      if (segments.length === 0) return '/';
      return `/${segments.join('/')}${path.endsWith('/') ? '/' : ''}`;
    };
    let paths = [''];
    let checked = 0;
    for (let length = 1; length <= 5; length++) {
      paths = paths.flatMap((prefix) => alphabet.map((c) => prefix + c));
      for (const tail of paths) {
        const path = `/${tail}`;
        assert.equal(canonicalUri(path), reference(path), path);
        checked++;
      }
    }
    assert.equal(checked, 7 + 49 + 343 + 2401 + 16807);
  });
});
