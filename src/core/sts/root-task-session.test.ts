// An AssumeRoot session's claims: the root user of the member account, limited by its task policy turned into a
// limit (its Deny statements plus an Allow of the rest); a token without its task policy stands for nobody.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePolicies } from '../../policy/engine.js';
import { ServiceError } from '../errors.js';
import { callerFromClaims, callerRestriction, taskLimit } from './session-caller.js';
import type { SessionClaims } from './session-token.js';

const AUDIT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Deny', NotAction: ['iam:ListAccessKeys', 'iam:GetUser'], Resource: '*' },
    { Effect: 'Deny', Action: ['iam:ListAccessKeys', 'iam:GetUser'], NotResource: 'arn:aws:iam::*:root' },
  ],
});

const claims: SessionClaims = {
  kind: 'rootTaskSession',
  account: '222233334444',
  arn: 'arn:aws:iam::222233334444:root',
  userId: '222233334444',
  accessKeyId: 'ASIAEXAMPLEEXAMPLE01',
  secretAccessKey: 'x',
  issued: '2026-12-05T08:00:00Z',
  expires: '2026-12-05T08:15:00Z',
  taskPolicy: { arn: 'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials', document: AUDIT },
};

const decide = (limit: string, action: string, resource: string): string =>
  compilePolicies({ identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }], limitingPolicies: [limit] }).evaluate({
    principal: 'arn:aws:iam::222233334444:root',
    action,
    resource,
  }).decision;

test('the caller is the member account’s root user, with the task policy as a limit', () => {
  const caller = callerFromClaims(claims);
  assert.deepEqual([caller.kind, caller.account, caller.arn], ['root', '222233334444', 'arn:aws:iam::222233334444:root']);
  assert.deepEqual(caller.limitPolicies, [taskLimit(AUDIT)]);
  assert.equal(caller.context?.['aws:AssumedRoot'], 'true');
  const limit = taskLimit(AUDIT);
  const cases: Array<[string, string, string]> = [
    ['iam:ListAccessKeys', 'arn:aws:iam::222233334444:root', 'Allowed'],
    ['iam:GetUser', 'arn:aws:iam::222233334444:root', 'Allowed'],
    ['iam:ListAccessKeys', 'arn:aws:iam::222233334444:user/bob', 'ExplicitlyDenied'],
    ['iam:CreateUser', 'arn:aws:iam::222233334444:user/bob', 'ExplicitlyDenied'],
    ['sts:GetSessionToken', '*', 'ExplicitlyDenied'],
  ];
  for (const [action, resource, expected] of cases) assert.equal(decide(limit, action, resource), expected, `${action} ${resource}`);
});

test('a task document that is not deny-only, or not JSON, limits to nothing', () => {
  for (const document of ['not json', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }), JSON.stringify({ Version: '2012-10-17', Statement: [] })]) {
    assert.equal(decide(taskLimit(document), 'iam:GetUser', 'arn:aws:iam::222233334444:root'), 'ExplicitlyDenied', document);
  }
});

test('a root task session without its task policy is refused; it reaches only GetCallerIdentity in STS', () => {
  const { taskPolicy: _dropped, ...bare } = claims;
  assert.throws(() => callerFromClaims(bare), (e: unknown) => e instanceof ServiceError && e.code === 'InvalidClientTokenId');
  const caller = callerFromClaims(claims);
  assert.equal(callerRestriction(caller, 'sts', 'GetCallerIdentity', '*'), undefined);
  for (const operation of ['GetSessionToken', 'GetFederationToken', 'AssumeRole', 'AssumeRoot', 'GetScopedCredentials', 'GetDelegatedAccessToken']) {
    assert.equal(callerRestriction(caller, 'sts', operation, '*')?.code, 'AccessDenied', operation);
  }
  assert.equal(callerRestriction(caller, 'iam', 'ListAccessKeys', '*'), undefined);
});
