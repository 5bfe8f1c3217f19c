import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Grants } from './granted.js';

const doc = (...statements: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (action: string | string[]) => ({ Effect: 'Allow', Action: action, Resource: '*' });

const SERVICE_CASES: ReadonlyArray<[string, string[], string, boolean]> = [
  ['an exact action grants its service', [doc(allow('iam:ListUsers'))], 'iam', true],
  ['an exact action grants no other service', [doc(allow('iam:ListUsers'))], 'sts', false],
  ['action names fold case', [doc(allow('IAM:listusers'))], 'iam', true],
  ['a service wildcard', [doc(allow('s*:Get*'))], 'sts', true],
  ['`*` grants every service', [doc(allow('*'))], 'ec2', true],
  ['a Deny grants nothing', [doc({ Effect: 'Deny', Action: 'iam:*', Resource: '*' })], 'iam', false],
  ['NotAction grants services it does not exclude whole', [doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })], 's3', true],
  ['NotAction of a whole service excludes it', [doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })], 'iam', false],
  ['NotAction of one action leaves the rest of its service', [doc({ Effect: 'Allow', NotAction: 'iam:CreateUser', Resource: '*' })], 'iam', true],
  ['conditions and resources do not narrow the grant', [doc({ Effect: 'Allow', Action: 'sts:*', Resource: 'arn:aws:iam::1:role/x', Condition: { Bool: { 'aws:SecureTransport': 'true' } } })], 'sts', true],
  ['a document that does not parse grants nothing', ['{not json'], 'iam', false],
  ['any of several documents', [doc(allow('sts:GetCallerIdentity')), doc(allow('iam:Get*'))], 'iam', true],
];

for (const [name, documents, service, expected] of SERVICE_CASES) {
  test(`grantsService: ${name}`, () => {
    assert.equal(new Grants(documents).grantsService(service), expected);
  });
}

const ACTION_CASES: ReadonlyArray<[string, string, string, boolean]> = [
  ['iam:List*', 'iam', 'ListUsers', true],
  ['iam:List*', 'iam', 'CreateUser', false],
  ['iam:*', 'iam', 'CreateUser', true],
  ['*', 'iam', 'CreateUser', true],
  ['iam:?etUser', 'iam', 'GetUser', true],
  ['s3:*', 'iam', 'GetUser', false],
];

for (const [pattern, service, action, expected] of ACTION_CASES) {
  test(`grantsAction: ${pattern} ${expected ? 'grants' : 'does not grant'} ${service}:${action}`, () => {
    assert.equal(new Grants([doc(allow(pattern))]).grantsAction(service, action), expected);
  });
}

test('grantsAction: NotAction allows every action it does not name', () => {
  const grants = new Grants([doc({ Effect: 'Allow', NotAction: ['iam:Delete*'], Resource: '*' })]);
  assert.equal(grants.grantsAction('iam', 'DeleteUser'), false);
  assert.equal(grants.grantsAction('iam', 'ListUsers'), true);
});

test('deniesService: only an unconditional Deny of the whole service', () => {
  const deny = (action: string, condition?: object) => ({ Effect: 'Deny', Action: action, Resource: '*', ...(condition !== undefined ? { Condition: condition } : {}) });
  assert.equal(new Grants([doc(deny('s3:*'))]).deniesService('s3'), true);
  assert.equal(new Grants([doc(deny('*'))]).deniesService('iam'), true);
  assert.equal(new Grants([doc(deny('s3:PutObject'))]).deniesService('s3'), false);
  assert.equal(new Grants([doc(deny('s3:*', { Bool: { 'aws:SecureTransport': 'false' } }))]).deniesService('s3'), false);
  assert.equal(new Grants([doc(deny('s3:*'))]).deniesService('iam'), false);
});
