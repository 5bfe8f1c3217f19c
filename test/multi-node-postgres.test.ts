// Two real Gatehouse servers on 127.0.0.1 sharing one PostgreSQL database, the master key and the session key ring,
// driven by the AWS SDK for JavaScript v3: what one node writes, the other authenticates and enforces.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetUserCommand,
  ListRolesCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { failure, iamClient, keyOf, stsClient, type Key } from './helpers/clients.js';
import { usePostgresNodes } from './helpers/postgres-nodes.js';
import { TEST_ACCOUNT_ID, type TestServer } from './helpers/server.js';

const A = TEST_ACCOUNT_ID;
const doc = (statement: object | object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statement });

const nodes = usePostgresNodes(2);
const node = (index: 0 | 1): TestServer => nodes.node(index);

/**
 * Waits until node `to` has heard of every write `from` has committed: after that, its very next request must see
 * them. Bounded, so a lost notification fails the test instead of hanging it.
 */
async function propagated(from: 0 | 1, to: 0 | 1): Promise<number> {
  const target = node(from).running.store.version();
  const start = performance.now();
  while (node(to).running.store.version() < target) {
    if (performance.now() - start > 2_000) assert.fail(`node ${to} did not see version ${target} within 2 s`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return performance.now() - start;
}

async function newUserWithKey(name: string): Promise<Key> {
  const root = iamClient(node(0).endpoint);
  await root.send(new CreateUserCommand({ UserName: name }));
  const key = await root.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: key.AccessKey?.AccessKeyId ?? '', secretAccessKey: key.AccessKey?.SecretAccessKey ?? '' };
}

describe('two Gatehouse nodes on one PostgreSQL database', () => {
  test('the audit trail is shared: an event recorded on node A is found on node B as soon as A answered', async () => {
    const created = await iamClient(node(0).endpoint).send(new CreateUserCommand({ UserName: 'audited-on-a' }));
    const who = await stsClient(node(1).endpoint).send(new GetCallerIdentityCommand({}));
    for (const [reader, requestId, eventName] of [
      [1, created.$metadata.requestId, 'CreateUser'],
      [0, who.$metadata.requestId, 'GetCallerIdentity'],
    ] as const) {
      const page = await node(reader).running.store.events.query({ account: A, eventName, maxResults: 50 });
      const records = page.events.map((e) => JSON.parse(e.record) as { requestID: string; userIdentity: { type: string } });
      const mine = records.filter((r) => r.requestID === requestId);
      assert.equal(mine.length, 1, `node ${reader} finds the ${eventName} event of the other node`);
      assert.equal(mine[0]?.userIdentity.type, 'Root');
    }
    const byResource = await node(1).running.store.events.query({ account: A, resourceName: 'audited-on-a', maxResults: 5 });
    assert.deepEqual(byResource.events.map((e) => e.eventName), ['CreateUser']);
  });

  test('a user and access key created on node A sign requests on node B', async () => {
    const key = await newUserWithKey('alice');
    await iamClient(node(0).endpoint).send(new PutUserPolicyCommand({
      UserName: 'alice',
      PolicyName: 'self',
      PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:GetUser', Resource: `arn:aws:iam::${A}:user/alice` }),
    }));
    const user = await iamClient(node(1).endpoint, key).send(new GetUserCommand({}));
    assert.equal(user.User?.Arn, `arn:aws:iam::${A}:user/alice`);
    const who = await stsClient(node(1).endpoint, key).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:iam::${A}:user/alice`);
  });

  test('a policy attached on A allows on B at the next request after the notification; a Deny added on A stops it', async () => {
    const key = await newUserWithKey('bob');
    const onB = iamClient(node(1).endpoint, key);
    // B decides (and caches) the denial first, so the allow below must come from B noticing the change.
    const denied = await failure(onB.send(new ListUsersCommand({})));
    assert.equal(denied.name, 'AccessDenied');

    const root = iamClient(node(0).endpoint);
    const policy = await root.send(new CreatePolicyCommand({ PolicyName: 'list-users', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }) }));
    await root.send(new AttachUserPolicyCommand({ UserName: 'bob', PolicyArn: policy.Policy?.Arn }));
    const allowLag = await propagated(0, 1);
    const listed = await onB.send(new ListUsersCommand({}));
    assert.ok(listed.Users?.some((u) => u.UserName === 'bob'));

    await root.send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 'deny', PolicyDocument: doc({ Effect: 'Deny', Action: 'iam:ListUsers', Resource: '*' }) }));
    const denyLag = await propagated(0, 1);
    const stopped = await failure(onB.send(new ListUsersCommand({})));
    assert.equal(stopped.name, 'AccessDenied');
    assert.match(stopped.message, /with an explicit deny/);
    console.log(`# B heard A's commits ${allowLag.toFixed(2)} ms and ${denyLag.toFixed(2)} ms after A acknowledged them`);
  });

  test('credentials from AssumeRole on A work on B', async () => {
    const key = await newUserWithKey('carol');
    const root = iamClient(node(0).endpoint);
    await root.send(new PutUserPolicyCommand({ UserName: 'carol', PolicyName: 'assume', PolicyDocument: doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }) }));
    await root.send(new CreateRoleCommand({
      RoleName: 'reader',
      AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/carol` }, Action: 'sts:AssumeRole' }),
    }));
    await root.send(new PutRolePolicyCommand({ RoleName: 'reader', PolicyName: 'read', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }) }));
    const assumed = await stsClient(node(0).endpoint, key).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/reader`, RoleSessionName: 'on-a' }));
    const session = keyOf(assumed.Credentials);

    const who = await stsClient(node(1).endpoint, session).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${A}:assumed-role/reader/on-a`);
    const roles = await iamClient(node(1).endpoint, session).send(new ListRolesCommand({}));
    assert.deepEqual(roles.Roles?.map((r) => r.RoleName), ['reader']);
    const notAllowed = await failure(iamClient(node(1).endpoint, session).send(new ListUsersCommand({})));
    assert.equal(notAllowed.name, 'AccessDenied');
  });

  test('the same CreateUser sent to both nodes at once: exactly one EntityAlreadyExists, every time', async () => {
    for (let round = 0; round < 5; round++) {
      const name = `twin-${round}`;
      const results = await Promise.allSettled([0, 1].map((i) => iamClient(node(i as 0 | 1).endpoint).send(new CreateUserCommand({ UserName: name }))));
      const created = results.filter((r) => r.status === 'fulfilled');
      const refused = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).name] : []));
      assert.equal(created.length, 1, JSON.stringify(refused));
      // The SDK names AWS's EntityAlreadyExists error code by its exception class.
      assert.deepEqual(refused, ['EntityAlreadyExistsException']);
    }
    const users = await iamClient(node(1).endpoint).send(new ListUsersCommand({}));
    assert.equal(users.Users?.filter((u) => u.UserName?.startsWith('twin-')).length, 5);
  });
});
