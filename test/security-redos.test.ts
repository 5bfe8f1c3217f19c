// Security regression (ReDoS): a principal allowed nothing but sts:AssumeRole passes a session policy whose Resource
// is `…:user/a*a*a*a*b`; GetUser on a user with a long path then made the old regular-expression matcher backtrack
// for seconds while the server answered nobody (with more stars, forever). The answer must come within a second,
// and another client's request made meanwhile must not wait for it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, GetUserCommand, ListUsersCommand, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { failure, iamClient, keyOf, stsClient, type Key } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const A = TEST_ACCOUNT_ID;
const doc = (statement: object | object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statement });
// IAM paths may be 512 characters long; the user's ARN, which GetUser is authorized against, includes the path.
const LONG_PATH = `/${'a'.repeat(420)}/`;
const TARGET_ARN = `arn:aws:iam::${A}:user${LONG_PATH}target`;
// Sized so that the old matcher took seconds rather than forever: the test then fails instead of hanging.
const EVIL = `arn:aws:iam::${A}:user/${'a*'.repeat(4)}b`;
const LIMIT_MS = 1000;

let mallory: Key;

const server = useTestServer({}, {}, async () => {
  const root = iamClient(server.endpoint);
  await root.send(new CreateUserCommand({ UserName: 'target', Path: LONG_PATH }));
  await root.send(new CreateUserCommand({ UserName: 'mallory' }));
  await root.send(new PutUserPolicyCommand({ UserName: 'mallory', PolicyName: 'assume-only', PolicyDocument: doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }) }));
  const key = await root.send(new CreateAccessKeyCommand({ UserName: 'mallory' }));
  mallory = { accessKeyId: key.AccessKey?.AccessKeyId ?? '', secretAccessKey: key.AccessKey?.SecretAccessKey ?? '' };
  await root.send(new CreateRoleCommand({ RoleName: 'reader', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' }) }));
  await root.send(new PutRolePolicyCommand({ RoleName: 'reader', PolicyName: 'read-users', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }) }));
});

async function sessionWith(resource: string): Promise<Key> {
  const out = await stsClient(server.endpoint, mallory).send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/reader`, RoleSessionName: 'evil', Policy: doc({ Effect: 'Allow', Action: 'iam:GetUser', Resource: resource }) }),
  );
  return keyOf(out.Credentials);
}

async function timed<T>(promise: Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await promise;
  return { value, ms: performance.now() - start };
}

describe('ReDoS through a session policy wildcard', () => {
  test('GetUser against a backtracking-shaped Resource answers AccessDenied within a second; another client is not held up', async () => {
    const session = await sessionWith(EVIL);
    const evil = iamClient(server.endpoint, session);
    const other = iamClient(server.endpoint);
    // Both connections are ready before the race starts, so the timings measure the server, not connection set-up.
    await other.send(new ListUsersCommand({}));
    await failure(evil.send(new GetUserCommand({ UserName: 'mallory' })));

    const [denied, bystander] = await Promise.all([timed(failure(evil.send(new GetUserCommand({ UserName: 'target' })))), timed(other.send(new ListUsersCommand({})))]);
    assert.equal(denied.value.name, 'AccessDenied');
    assert.equal(denied.value.status, 403);
    assert.ok(denied.ms < LIMIT_MS, `GetUser took ${denied.ms.toFixed(0)} ms`);
    assert.ok(bystander.ms < LIMIT_MS, `another client's ListUsers took ${bystander.ms.toFixed(0)} ms`);
    assert.ok(bystander.value.Users?.some((u) => u.Arn === TARGET_ARN));
  });

  test('a matching pattern of the same shape still allows, as quickly', async () => {
    const session = await sessionWith(`arn:aws:iam::${A}:user/${'a*'.repeat(40)}target`);
    const { value, ms } = await timed(iamClient(server.endpoint, session).send(new GetUserCommand({ UserName: 'target' })));
    assert.equal(value.User?.Arn, TARGET_ARN);
    assert.ok(ms < LIMIT_MS, `GetUser took ${ms.toFixed(0)} ms`);
  });
});
