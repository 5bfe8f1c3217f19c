import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorizeInputOf } from './authorize-routes.js';

const body = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe('authorizeInputOf', () => {
  it('reads a forwarded request with headers as pairs or as an object, and a policy as text or document', () => {
    const pairs = authorizeInputOf(body('{"Request":{"Method":"GET","Path":"/b/k","Query":"a=1","Headers":[["Host","h"],["X-A","1"],["x-a","2"]]},"ResourcePolicy":{"Statement":[]},"Actions":[{"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/k"}]}'));
    assert.deepEqual(pairs.request?.headers, [['host', 'h'], ['x-a', '1'], ['x-a', '2']]);
    assert.equal(pairs.resourcePolicy, '{"Statement":[]}');
    const object = authorizeInputOf(body('{"Request":{"Method":"GET","Path":"/","Headers":{"Host":"h","X-A":["1","2"]}},"Actions":[{"Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}]}'));
    assert.deepEqual(object.request?.headers, [['host', 'h'], ['x-a', '1'], ['x-a', '2']]);
    assert.equal(object.request?.query, '');
  });

  it('keeps a client-supplied __proto__ context key as data', () => {
    const input = authorizeInputOf(body('{"PrincipalArn":"arn:aws:iam::111122223333:user/a","Context":{"__proto__":"yes","aws:SourceIp":"10.0.0.1"},"Actions":[{"Action":"s3:GetObject","Resource":"*","Context":{"constructor":"x"}}]}'));
    assert.equal(Object.hasOwn(input.context ?? {}, "__proto__"), true);
    assert.equal(input.context?.["__proto__"], "yes");
    assert.equal(Object.getPrototypeOf(input.context), null);
    assert.equal(input.context?.['aws:SourceIp'], '10.0.0.1');
    assert.deepEqual(input.actions[0]?.context?.['constructor'], 'x');
  });

  it('refuses malformed input with ValidationError', () => {
    for (const text of [
      '{"Actions":"s3:GetObject"}',
      '{"Actions":[{"Action":1,"Resource":"*"}]}',
      '{"Request":{"Method":"GET"},"Actions":[]}',
      '{"Request":{"Method":"GET","Path":"/","Headers":[["a"]]},"Actions":[]}',
      '{"Request":{"Method":"GET","Path":"/","Headers":{},"BodySha256":"xyz"},"Actions":[]}',
      '{"Context":{"k":1},"Actions":[]}',
    ]) {
      assert.throws(() => authorizeInputOf(body(text)), { code: 'ValidationError' }, text);
    }
  });
});
