import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseQuery } from './canonical-query.js';
import { SigV4Error } from './errors.js';
import { isPresigned, parsePresigned } from './parse-presigned.js';

const GOOD =
  'Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fsts%2Faws4_request' +
  '&X-Amz-Date=20150830T123600Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Security-Token=tok%2Ben' +
  '&X-Amz-Signature=abc';

describe('parsePresigned', () => {
  it('reads and decodes the X-Amz-* parameters', () => {
    const parameters = parseQuery(GOOD);
    assert.equal(isPresigned(parameters), true);
    assert.deepEqual(parsePresigned(parameters), {
      algorithm: 'AWS4-HMAC-SHA256',
      credential: 'AKID/20150830/us-east-1/sts/aws4_request',
      signedHeaders: ['host', 'x-k8s-aws-id'],
      signature: 'abc',
      date: '20150830T123600Z',
      expires: 900,
      securityToken: 'tok+en',
    });
  });

  it('is not presigned without X-Amz-Algorithm', () => assert.equal(isPresigned(parseQuery('Action=GetCallerIdentity')), false));

  const failures: Array<[string, string, string]> = [
    [
      'everything but the algorithm missing',
      'X-Amz-Algorithm=AWS4-HMAC-SHA256',
      "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.",
    ],
    [
      'signature missing',
      GOOD.replace('&X-Amz-Signature=abc', ''),
      "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters.",
    ],
    ['expires not a number', GOOD.replace('X-Amz-Expires=900', 'X-Amz-Expires=-1'), "X-Amz-Expires must be a non-negative integer, got '-1'."],
    [
      'expires beyond a week',
      GOOD.replace('X-Amz-Expires=900', 'X-Amz-Expires=604801'),
      'X-Amz-Expires must be less than a week (in seconds) that is 604800',
    ],
  ];
  for (const [name, query, message] of failures) {
    it(`IncompleteSignature: ${name}`, () => {
      assert.throws(
        () => parsePresigned(parseQuery(query)),
        (error: unknown) => error instanceof SigV4Error && error.code === 'IncompleteSignature' && error.message === message,
      );
    });
  }
});
