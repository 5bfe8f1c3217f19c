import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SigV4Error } from './errors.js';
import { parseAuthorization } from './parse-authorization.js';

const GOOD =
  'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=host;X-Amz-Date, Signature=abc';

describe('parseAuthorization', () => {
  it('reads the three parameters, lower-casing signed header names', () => {
    assert.deepEqual(parseAuthorization(GOOD, true), {
      algorithm: 'AWS4-HMAC-SHA256',
      credential: 'AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request',
      signedHeaders: ['host', 'x-amz-date'],
      signature: 'abc',
    });
  });

  it('accepts parameters separated by commas alone, or by spaces alone', () => {
    assert.equal(parseAuthorization('AWS4-HMAC-SHA256 Credential=a/b/c/d/e,SignedHeaders=host,Signature=x', true).signature, 'x');
    assert.equal(parseAuthorization('AWS4-HMAC-SHA256 Credential=a/b/c/d/e SignedHeaders=host Signature=x', true).signature, 'x');
  });

  const failures: Array<[string, string, boolean, string]> = [
    [
      'every parameter and the date missing',
      'AWS4-HMAC-SHA256',
      false,
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256",
    ],
    [
      'a bearer token (no scheme)',
      'eyJhbGciOiJIUzI1NiJ9',
      true,
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=eyJhbGciOiJIUzI1NiJ9",
    ],
    [
      'Signature missing',
      'AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host',
      true,
      "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host",
    ],
    [
      'a space after Credential=',
      'AWS4-HMAC-SHA256 Credential= AKID/20200122/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x',
      true,
      "'AKID/20200122/us-east-1/sts/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential= AKID/20200122/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x'.",
    ],
    [
      'the header name repeated in the value',
      'Authorization: AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=x',
      true,
      "'AWS4-HMAC-SHA256' not a valid key=value pair (missing equal-sign) in Authorization header: 'Authorization: AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=x'.",
    ],
  ];
  for (const [name, header, hasDate, message] of failures) {
    it(`IncompleteSignature: ${name}`, () => {
      assert.throws(
        () => parseAuthorization(header, hasDate),
        (error: unknown) =>
          error instanceof SigV4Error && error.code === 'IncompleteSignature' && error.status === 400 && error.message === message,
      );
    });
  }
});
