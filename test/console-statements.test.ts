// The console's reading of the simulator's answers, without a browser: a statement found from IAM's StartPosition
// (checked against the positions the server's own simulator gives), and decisions explained in words.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statementSpans as serverSpans } from '../src/core/iam/simulator/positions.js';
import { contextEntries, explainDecision } from '../src/console/simulation.js';
import { statementIndexAt, statementSpans } from '../src/console/statements.js';

const TEXTS = [
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Deny', Action: ['s3:Delete*'], Resource: '*', Condition: { StringEquals: { 'a"b': 'x]}' } } }] }, null, 2),
  '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}',
  '{ "Statement" : [ {"Effect":"Allow","Action":"*","Resource":"*"} ,\n\n  {"Effect":"Deny","NotAction":["a:b"],"Resource":"*"}], "Version":"2012-10-17"}',
  // Duplicate keys: the last Statement is the one JSON.parse (and IAM) keeps.
  '{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}],\n"Statement":[{"Effect":"Allow","Action":"a:b","Resource":"*"},{"Effect":"Allow","Action":"c:d","Resource":"*"}]}',
];

test("each statement is found at the StartPosition the server's simulator reports for it", () => {
  for (const text of TEXTS) {
    const positions = serverSpans(text);
    assert.ok(positions.length > 0);
    assert.deepEqual(
      positions.map((p) => statementIndexAt(text, p.StartPosition)),
      positions.map((_, i) => i),
    );
    const spans = statementSpans(text);
    assert.equal(spans.length, positions.length);
    for (const s of spans) assert.equal(typeof JSON.parse(text.slice(s.start, s.end)), 'object');
  }
  assert.equal(statementIndexAt(TEXTS[0] as string, { Line: 1, Column: 2 }), undefined);
  assert.equal(statementIndexAt(TEXTS[0] as string, undefined), undefined);
  assert.deepEqual(statementSpans('not json'), []);
});

test('decisions in words: the deciding policy, the boundary, the organization, missing context', () => {
  assert.deepEqual(explainDecision({ EvalActionName: 's3:GetObject', EvalResourceName: '*', EvalDecision: 'allowed', MatchedStatements: [{ SourcePolicyId: 'reader', SourcePolicyType: 'user-managed' }] }), [
    'Allowed by the customer managed policy reader, and no policy denies it.',
  ]);
  assert.deepEqual(explainDecision({ EvalActionName: 'x:y', EvalResourceName: '*', EvalDecision: 'explicitDeny', MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.2' }] }), [
    'A Deny statement in the identity policy 2 you entered matched: an explicit deny overrides every Allow.',
  ]);
  const implicit = explainDecision({
    EvalActionName: 'x:y',
    EvalResourceName: '*',
    EvalDecision: 'implicitDeny',
    OrganizationsDecisionDetail: { AllowedByOrganizations: false },
    PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: false },
    MissingContextValues: ['aws:SourceIp'],
  });
  assert.equal(implicit.length, 3);
  assert.match(implicit[0] ?? '', /service control policies do not allow it/);
  assert.equal(implicit[1], 'The permissions boundary does not allow it.');
  assert.match(implicit[2] ?? '', /had no value: aws:SourceIp\./);
  assert.match(explainDecision({ EvalActionName: 'x:y', EvalDecision: 'allowed', MatchedStatements: [{ SourcePolicyId: 'edge', SourcePolicyType: 'user-managed' }] }, 'edge')[0] ?? '', /the permissions boundary \(customer managed policy\) edge/);
});

test('context entries: list types split at commas, a single value kept whole, blank keys dropped', () => {
  assert.deepEqual(contextEntries([{ key: ' aws:SourceIp ', type: 'ipList', values: '10.0.0.1, 10.0.0.2,' }, { key: 'a:b', type: 'string', values: 'x, y' }, { key: ' ', type: 'string', values: 'z' }]), [
    { ContextKeyName: 'aws:SourceIp', ContextKeyType: 'ipList', ContextKeyValues: ['10.0.0.1', '10.0.0.2'] },
    { ContextKeyName: 'a:b', ContextKeyType: 'string', ContextKeyValues: ['x, y'] },
  ]);
});
