import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { sha256Hex } from './payload-hash.js';
import { signRequest, type SigningCredentials } from './sign-request.js';
import { SigV4Error, verifyRequest, type SignedRequest } from './verify.js';

const SUITE = new URL('../../test/fixtures/sigv4/', import.meta.url);

interface Context {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  timestamp: string;
  region: string;
  service: string;
}

/** The signature AWS's suite gives for a request, and what this signer gives for the same request. */
function suiteCase(name: string, url: string, method: string, headers: Record<string, string> = {}, body = ''): { expected: string; actual: string } {
  const context = JSON.parse(readFileSync(new URL(`${name}/context.json`, SUITE), 'utf8')) as Context;
  const credentials: SigningCredentials = {
    accessKeyId: context.credentials.access_key_id,
    secretAccessKey: context.credentials.secret_access_key,
    ...(context.credentials.token !== undefined ? { sessionToken: context.credentials.token } : {}),
  };
  const signed = signRequest({ method, url, headers, body }, { credentials, region: context.region, service: context.service, now: new Date(context.timestamp) });
  return { expected: readFileSync(new URL(`${name}/header-signature.txt`, SUITE), 'utf8').trim(), actual: /Signature=([0-9a-f]+)/.exec(signed['authorization'] ?? '')?.[1] ?? '' };
}

describe('signRequest against the AWS SigV4 suite', () => {
  const cases: Array<[string, string, string, Record<string, string>?, string?]> = [
    ['get-vanilla', 'http://example.amazonaws.com/', 'GET'],
    ['post-vanilla', 'http://example.amazonaws.com/', 'POST'],
    ['get-vanilla-query-order-key-case', 'http://example.amazonaws.com/?Param2=value2&Param1=value1', 'GET'],
    ['post-vanilla-query', 'http://example.amazonaws.com/?Param1=value1', 'POST'],
    ['get-vanilla-with-session-token', 'http://example.amazonaws.com/', 'GET'],
    ['post-header-value-case', 'http://example.amazonaws.com/', 'POST', { 'My-Header1': 'VALUE1' }],
    ['get-header-value-trim', 'http://example.amazonaws.com/', 'GET', { 'My-Header1': ' value1', 'My-Header2': ' "a   b   c"' }],
    [
      'post-x-www-form-urlencoded',
      'http://example.amazonaws.com/',
      'POST',
      { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': '13', 'x-amz-content-sha256': sha256Hex('Param1=value1') },
      'Param1=value1',
    ],
  ];
  for (const [name, url, method, headers, body] of cases) {
    it(name, () => {
      const { expected, actual } = suiteCase(name, url, method, headers, body);
      assert.equal(actual, expected);
    });
  }
});

describe('signRequest against this server verifier', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  const credentials = { accessKeyId: 'AKIAEXAMPLEEXAMPLE01', secretAccessKey: 'secret/for/the/signer/test/only/000000001' };

  /** The request as the server reads it off the wire: path and query as sent, lower-cased header names. */
  function asReceived(url: string, method: string, headers: Record<string, string>, body: string): SignedRequest {
    const parsed = new URL(url);
    return {
      method,
      path: parsed.pathname,
      query: parsed.search.replace(/^\?/, ''),
      headers: Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value] as const),
      body: Buffer.from(body, 'utf8'),
    };
  }

  const table: Array<{ name: string; url: string; method: string; body: string; token?: string }> = [
    { name: 'a JSON POST to a reserved path', url: 'http://127.0.0.1:4566/_gatehouse/instances', method: 'POST', body: '{"InstanceProfileName":"web"}' },
    { name: 'a DELETE with an ID segment', url: 'http://127.0.0.1:4566/_gatehouse/instances/i-0123456789abcdef0', method: 'DELETE', body: '' },
    { name: 'a query with characters to encode', url: 'http://localhost:9/x/a:b?k=a%20b+c&j=%2F&j=1', method: 'GET', body: '' },
    { name: 'temporary credentials', url: 'http://127.0.0.1:4566/_gatehouse/containers', method: 'POST', body: '{}', token: 'FwoGZXIvYXdzEXAMPLETOKEN+/=' },
  ];
  for (const { name, url, method, body, token } of table) {
    it(`verifies ${name}`, () => {
      const signing = token === undefined ? credentials : { ...credentials, sessionToken: token };
      const headers = signRequest({ method, url, headers: { 'content-type': 'application/json' }, body }, { credentials: signing, region: 'us-east-1', service: 'iam', now });
      const verified = verifyRequest(asReceived(url, method, headers, body), { now, secretFor: (id) => (id === credentials.accessKeyId ? credentials.secretAccessKey : undefined) });
      assert.equal(verified.accessKeyId, credentials.accessKeyId);
      assert.equal(verified.service, 'iam');
      assert.equal(verified.securityToken, token);
    });
  }

  it('a changed body, path or secret no longer verifies', () => {
    const url = 'http://127.0.0.1:4566/_gatehouse/instances';
    const body = '{"InstanceProfileName":"web"}';
    const headers = signRequest({ method: 'POST', url, body }, { credentials, region: 'us-east-1', service: 'iam', now });
    const secretFor = (): string => credentials.secretAccessKey;
    const attempts: SignedRequest[] = [
      asReceived(url, 'POST', headers, '{"InstanceProfileName":"admin"}'),
      asReceived(`${url}/other`, 'POST', headers, body),
      asReceived(url, 'PUT', headers, body),
    ];
    for (const attempt of attempts) {
      assert.throws(() => verifyRequest(attempt, { now, secretFor }), (error: unknown) => error instanceof SigV4Error && error.code === 'SignatureDoesNotMatch');
    }
    assert.throws(() => verifyRequest(asReceived(url, 'POST', headers, body), { now, secretFor: () => 'another secret' }), SigV4Error);
  });
});
