// The effective-access summary of the console's user page, without a browser: a pure function of the policies read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePolicyDocument, summarizeAccess } from '../src/console/effective-access.js';

test('allowed and denied actions by service; narrow statements marked; NotAction as every service', () => {
  const docs = [
    { Statement: [{ Effect: 'Allow', Action: ['iam:Get*', 'IAM:List*', 's3:GetObject'], Resource: '*' }] },
    { Statement: { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::bucket/*' } },
    { Statement: [{ Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' }, { Effect: 'Allow', Action: 'sts:*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }] },
  ];
  assert.deepEqual(summarizeAccess(docs), [
    { service: 'iam', allowed: ['Get*', 'List*'], denied: [], full: false, limited: false },
    { service: 's3', allowed: ['*', 'GetObject'], denied: ['DeleteObject'], full: false, limited: true },
    { service: 'sts', allowed: ['*'], denied: [], full: true, limited: true },
  ]);
  assert.deepEqual(summarizeAccess([{ Statement: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }] }]), [{ service: '*', allowed: ['*'], denied: [], full: true, limited: true }]);
  assert.deepEqual(summarizeAccess([{ Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] }]), []);
});

test('a service named like an Object property is a plain key; documents come URL-encoded', () => {
  const doc = parsePolicyDocument(encodeURIComponent(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: ['__proto__:x', 'constructor:y'], Resource: '*' }] })));
  assert.ok(doc !== undefined);
  assert.deepEqual(summarizeAccess([doc]).map((s) => s.service), ['__proto__', 'constructor'].sort((a, b) => a.localeCompare(b)));
  assert.equal(parsePolicyDocument('not json'), undefined);
});
