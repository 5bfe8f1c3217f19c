import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkScope, parseCredentialScope, readCredentialScope, splitCredential } from './credential-scope.js';
import { SigV4Error } from './errors.js';

describe('splitCredential', () => {
  it('splits the five parts, ignoring trailing slashes', () => {
    const expected = { accessKeyId: 'AKID', date: '20150830', region: 'us-east-1', service: 'iam', terminator: 'aws4_request' };
    assert.deepEqual(splitCredential('AKID/20150830/us-east-1/iam/aws4_request'), expected);
    assert.deepEqual(splitCredential('AKID/20150830/us-east-1/iam/aws4_request//'), expected);
  });
  for (const credential of ['a/b/c/d', 'a/b/c/d/e/f', 'AKID']) {
    it(`IncompleteSignature for ${credential}`, () => {
      assert.throws(
        () => splitCredential(credential),
        (error: unknown) =>
          error instanceof SigV4Error &&
          error.code === 'IncompleteSignature' &&
          error.message ===
            `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
      );
    });
  }
});

describe('checkScope', () => {
  const scope = splitCredential('AKID/20150830/us-east-1/iam/aws4_request');
  const base = { requestDate: '20150830', timestamp: '20150830T123600Z' };
  it('accepts a matching scope', () => checkScope(scope, { ...base, regions: ['us-east-1'], service: 'iam' }));

  const failures: Array<[string, string, Parameters<typeof checkScope>[1], string]> = [
    ['region', 'AKID/20150830/us-east-2/iam/aws4_request', { ...base, regions: ['us-east-1'] }, "Credential should be scoped to a valid region, not 'us-east-2'. "],
    ['service', 'AKID/20150830/us-east-1/sts/aws4_request', { ...base, service: 'iam' }, "Credential should be scoped to correct service: 'iam'. "],
    ['terminator', 'AKID/20150830/us-east-1/iam/aws5_request', base, "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "],
    [
      'date',
      'AKID/20150831/us-east-1/iam/aws4_request',
      base,
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150831' != '20150830', from '20150830T123600Z'. ",
    ],
    [
      'everything at once, in AWS order',
      'AKID/b/c/dynamodb/e',
      { ...base, regions: ['us-east-1'], service: 'iam' },
      "Credential should be scoped to a valid region, not 'c'. Credential should be scoped to correct service: 'iam'. Credential should be scoped with a valid terminator: 'aws4_request', not 'e'. Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: 'b' != '20150830', from '20150830T123600Z'. ",
    ],
  ];
  for (const [name, credential, expected, message] of failures) {
    it(`SignatureDoesNotMatch: ${name}`, () => {
      assert.throws(
        () => checkScope(splitCredential(credential), expected),
        (error: unknown) =>
          error instanceof SigV4Error && error.code === 'SignatureDoesNotMatch' && error.status === 403 && error.message === message,
      );
    });
  }
});

describe('parseCredentialScope / readCredentialScope', () => {
  const header = {
    query: '',
    headers: [
      ['x-amz-date', '20150830T123600Z'],
      ['authorization', 'AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x'],
    ] as const,
  };
  const presigned = {
    query:
      'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA%2F20150830%2Feu-west-1%2Fsts%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=x',
    headers: [],
  };
  const cases: Array<[string, { query: string; headers: ReadonlyArray<readonly [string, string]> }, object | undefined]> = [
    ['header', header, { accessKeyId: 'AKID', date: '20150830', region: 'us-east-1', service: 'sts', terminator: 'aws4_request', presigned: false }],
    ['presigned', presigned, { accessKeyId: 'ASIA', date: '20150830', region: 'eu-west-1', service: 'sts', terminator: 'aws4_request', presigned: true }],
    ['no authentication', { query: 'Action=GetCallerIdentity', headers: [] }, undefined],
    ['malformed header', { query: '', headers: [['authorization', 'AWS4-HMAC-SHA256 junk']] }, undefined],
  ];
  for (const [name, request, expected] of cases) {
    it(name, () => {
      assert.deepEqual(readCredentialScope(request), expected);
      if (expected === undefined) assert.throws(() => parseCredentialScope(request), SigV4Error);
      else assert.deepEqual(parseCredentialScope(request), expected);
    });
  }
});
