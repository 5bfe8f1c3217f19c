import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuthorizeAnswer } from '../core/authorize-api/authorize-request.js';
import type { Explanation } from '../policy/decide.js';
import { answerJson } from './authorize-answer-json.js';

const streaming = { seedSignature: 'a'.repeat(64), timestamp: '20261125T120000Z', scope: '20261125/us-east-1/s3/aws4_request', signingKey: Buffer.alloc(32, 1) };

const explanation: Explanation = {
  summary: 'explicit "Deny"',
  principal: { arn: 'arn:aws:sts::111122223333:assumed-role/r/s', kind: 'assumedRole', account: '111122223333' },
  resourceAccount: null,
  crossAccount: false,
  statements: [],
  missingAllow: [],
};

describe('answerJson', () => {
  it('hands the chunk signing key out only when asked and allowed', () => {
    const answer: AuthorizeAnswer = { authenticated: true, allowed: true, results: [], streaming };
    const without = JSON.parse(answerJson(answer, false)) as { Streaming: Record<string, unknown> };
    const withKey = JSON.parse(answerJson(answer, true)) as { Streaming: Record<string, unknown> };
    assert.equal(without.Streaming['SigningKey'], undefined);
    assert.equal(withKey.Streaming['SigningKey'], '01'.repeat(32));
  });

  it('writes every member in order, the optional ones only when present', () => {
    const answer: AuthorizeAnswer = {
      authenticated: true,
      allowed: false,
      results: [
        { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', decision: 'Allowed', allowed: true, resourceAccount: '111122223333' },
        { action: 's3:PutObject', resource: 'arn:aws:s3:::b/k', decision: 'ExplicitlyDenied', allowed: false, message: 'denied', explanation },
      ],
      principal: {
        arn: 'arn:aws:sts::111122223333:assumed-role/r/s',
        account: '111122223333',
        canonicalUserId: 'c'.repeat(64),
        type: 'AssumedRole',
        userId: 'AROA:s',
        accessKeyId: 'ASIA1',
        sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/r', principalId: 'AROA', accountId: '111122223333' }, attributes: { mfaAuthenticated: false } },
      },
      payload: { mode: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', signedValue: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', signedChunks: true, trailer: false },
      streaming,
      region: 'us-east-1',
    };
    assert.equal(
      answerJson(answer, false),
      '{"Authenticated":true,"Allowed":false,"Results":[' +
        '{"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/k","Decision":"Allowed","Allowed":true},' +
        '{"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/k","Decision":"ExplicitlyDenied","Allowed":false,"Message":"denied","Explanation":' + JSON.stringify(explanation) + '}],' +
        `"Principal":{"Arn":"arn:aws:sts::111122223333:assumed-role/r/s","Account":"111122223333","CanonicalUserId":"${'c'.repeat(64)}","Type":"AssumedRole","UserId":"AROA:s","AccessKeyId":"ASIA1",` +
        '"SessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/r","principalId":"AROA","accountId":"111122223333"},"attributes":{"mfaAuthenticated":false}}},' +
        '"Payload":{"Mode":"STREAMING-AWS4-HMAC-SHA256-PAYLOAD","SignedChunks":true,"Trailer":false},' +
        `"Streaming":{"SeedSignature":"${'a'.repeat(64)}","Timestamp":"20261125T120000Z","Scope":"20261125/us-east-1/s3/aws4_request"}}`,
    );
    const failed: AuthorizeAnswer = { authenticated: false, error: { code: 'SignatureDoesNotMatch', message: 'no', status: 403 }, allowed: false, results: [] };
    assert.equal(answerJson(failed, false), '{"Authenticated":false,"Allowed":false,"Error":{"Code":"SignatureDoesNotMatch","Message":"no","Status":403},"Results":[]}');
  });

  it('escapes strings exactly as JSON.stringify does', () => {
    for (const text of ['plain', 'a "quoted" \\ path', 'tab\there\nnewline\u0000\u001f', '\u2028\u2029', 'caf\u00e9 \u{1f600}', 'lone \ud800 surrogate \udfff', '']) {
      const answer: AuthorizeAnswer = { authenticated: true, allowed: false, results: [{ action: 's3:GetObject', resource: text, decision: 'ImplicitlyDenied', allowed: false, message: text }] };
      const parsed = JSON.parse(answerJson(answer, false)) as { Results: Array<{ Resource: string; Message: string }> };
      assert.equal(parsed.Results[0]?.Resource, text);
      assert.ok(answerJson(answer, false).includes(`"Resource":${JSON.stringify(text)},`), text);
    }
  });
});
