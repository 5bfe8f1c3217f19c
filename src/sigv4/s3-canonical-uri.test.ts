import { test } from 'node:test';
import assert from 'node:assert/strict';
import { s3CanonicalUri } from './s3-canonical-uri.js';
import { percentDecode, uriEncode } from './uri-encode.js';

/** The definition, segment by segment, without the shortcut for paths that are already canonical. */
const bySegments = (path: string): string =>
  path === '' ? '/' : path.split('/').map((segment) => (segment === '' ? '' : uriEncode(percentDecode(segment)))).join('/');

test('an empty path signs as /', () => {
  assert.equal(s3CanonicalUri(''), '/');
});

test('a path of unreserved characters signs as sent, dot segments and empty segments kept', () => {
  for (const path of ['/', '/photos/cat.jpg', '/a//b/../c.', '/bucket/~user/-_.~/', '//', '/A-Z_0.9~']) {
    assert.equal(s3CanonicalUri(path), path);
    assert.equal(s3CanonicalUri(path), bySegments(path));
  }
});

test('anything else is decoded and encoded again, segment by segment', () => {
  assert.equal(s3CanonicalUri('/a%2ab'), '/a%2Ab');
  assert.equal(s3CanonicalUri('/a b'), '/a%20b');
  assert.equal(s3CanonicalUri('/a+b'), '/a%2Bb');
  assert.equal(s3CanonicalUri('/caf\u00e9/x'), '/caf%C3%A9/x');
  assert.equal(s3CanonicalUri('/a%zz'), '/a%25zz');
  assert.equal(s3CanonicalUri('photos/cat.jpg?'), 'photos/cat.jpg%3F');
  for (const path of ['/a%2Fb', '/x/%7e/', '/k=v&w', '/a:b@c']) assert.equal(s3CanonicalUri(path), bySegments(path));
});
