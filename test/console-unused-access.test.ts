// The Access Advisor draft of the console, without a browser: policies narrowed to what a report shows was used.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { draftNarrowerPolicy, narrowActions, usageOf, wildcardMatch } from '../src/console/unused-access.js';

const at = new Date('2026-12-01T00:00:00Z');
const usage = usageOf([
  { ServiceNamespace: 'iam', LastAuthenticated: at, TrackedActionsLastAccessed: [{ ActionName: 'ListUsers', LastAccessedTime: at }, { ActionName: 'GetUser' }, { ActionName: 'ListRoles', LastAccessedTime: at }] },
  { ServiceNamespace: 'sts', LastAuthenticated: at },
  { ServiceNamespace: 's3', TrackedActionsLastAccessed: [{ ActionName: 'GetObject' }] },
  { ServiceNamespace: 'ec2' },
]);

test('the report as usage: used services, and the used actions of tracked services', () => {
  assert.deepEqual(usage.services, ['iam', 'sts']);
  assert.deepEqual([...usage.actions], [['iam', ['ListUsers', 'ListRoles']], ['s3', []]]);
  assert.equal(wildcardMatch('List*', 'listusers'), true);
  assert.equal(wildcardMatch('Get?ser', 'GetUser'), true);
  assert.equal(wildcardMatch('Get.*', 'GetUser'), false, 'a dot is no wildcard');
});

test('actions: tracked services keep the used actions a pattern matches; untracked used services keep theirs as written', () => {
  assert.deepEqual(narrowActions(['iam:List*', 'IAM:ListUsers', 'iam:GetUser'], usage), ['iam:ListUsers', 'iam:ListRoles']);
  assert.deepEqual(narrowActions(['sts:AssumeRole', 's3:*', 'ec2:Describe*'], usage), ['sts:AssumeRole']);
  // Every service: each used one, narrowed as its own pattern would be.
  assert.deepEqual(narrowActions(['*'], usage), ['iam:ListUsers', 'iam:ListRoles', 'sts:*']);
  assert.deepEqual(narrowActions(['s*:Get*'], usage), ['sts:Get*']);
  assert.deepEqual(narrowActions(['nonsense'], usage), []);
});

test('the draft: Deny and NotAction kept, unused statements dropped, repeated Sids left out; nothing used is no draft', () => {
  const draft = draftNarrowerPolicy(
    [
      { Statement: [{ Sid: 'Read', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }, { Effect: 'Deny', Action: 'iam:DeleteUser', Resource: '*' }] },
      { Statement: { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' } },
      { Statement: [{ Sid: 'Read', Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }, { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }] },
    ],
    usage,
  );
  assert.deepEqual(draft.document, {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['iam:ListUsers', 'iam:ListRoles'], Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
      { Effect: 'Deny', Action: 'iam:DeleteUser', Resource: '*' },
      { Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' },
      { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
    ],
  });
  assert.deepEqual(draft.removed, ['iam:Get*', 'iam:List*', 's3:GetObject']);
  assert.equal(draft.notActionKept, 1);
  const none = draftNarrowerPolicy([{ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Deny', Action: '*', Resource: '*' }] }], usage);
  assert.equal(none.document, undefined);
  assert.deepEqual(none.removed, ['s3:*']);
});
