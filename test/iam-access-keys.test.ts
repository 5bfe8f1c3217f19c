// Access keys through the AWS SDK for JavaScript v3 against a real server: lifecycle, authentication, last use.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  GetAccessKeyLastUsedCommand,
  GetUserCommand,
  type GetAccessKeyLastUsedCommandOutput,
  ListAccessKeysCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { failure, iamClient, type Key } from './helpers/clients.js';
import { ROOT_KEY, TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const server = useTestServer();

const INVALID_TOKEN = { name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.', status: 403 };

/** A user allowed to read itself (GetUser on its own ARN), with one new access key. */
async function userWithKey(name: string): Promise<Key> {
  const root = iamClient(server.endpoint);
  await root.send(new CreateUserCommand({ UserName: name }));
  const self = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: 'arn:aws:iam::*:user/${aws:username}' }] });
  await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'self', PolicyDocument: self }));
  const key = (await root.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
  assert.ok(key?.AccessKeyId !== undefined && key.SecretAccessKey !== undefined);
  return { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
}

describe('access keys', () => {
  test('create returns an AKIA id and a 40-character secret once; list never shows the secret', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateUserCommand({ UserName: 'kim' }));
    const created = (await root.send(new CreateAccessKeyCommand({ UserName: 'kim' }))).AccessKey;
    assert.equal(created?.UserName, 'kim');
    assert.match(created?.AccessKeyId ?? '', /^AKIA[A-Z0-9]{16}$/);
    assert.equal(created?.SecretAccessKey?.length, 40);
    assert.equal(created?.Status, 'Active');
    assert.ok(created?.CreateDate instanceof Date);

    const listed = await root.send(new ListAccessKeysCommand({ UserName: 'kim' }));
    assert.equal(listed.IsTruncated, false);
    assert.equal(listed.AccessKeyMetadata?.length, 1);
    const metadata = listed.AccessKeyMetadata?.[0] as Record<string, unknown>;
    assert.deepEqual(Object.keys(metadata).sort(), ['AccessKeyId', 'CreateDate', 'Status', 'UserName']);
    assert.equal(metadata['AccessKeyId'], created?.AccessKeyId);
    assert.equal(metadata['Status'], 'Active');
    assert.equal(metadata['UserName'], 'kim');

    await root.send(new DeleteAccessKeyCommand({ UserName: 'kim', AccessKeyId: created?.AccessKeyId }));
    assert.deepEqual((await root.send(new ListAccessKeysCommand({ UserName: 'kim' }))).AccessKeyMetadata, []);
    await root.send(new DeleteUserCommand({ UserName: 'kim' }));
  });

  test('an inactive key stops authenticating, and works again once reactivated', async () => {
    const root = iamClient(server.endpoint);
    const key = await userWithKey('ivy');
    const ivy = iamClient(server.endpoint, key);
    assert.equal((await ivy.send(new GetUserCommand({}))).User?.UserName, 'ivy');

    await root.send(new UpdateAccessKeyCommand({ UserName: 'ivy', AccessKeyId: key.accessKeyId, Status: 'Inactive' }));
    assert.equal((await root.send(new ListAccessKeysCommand({ UserName: 'ivy' }))).AccessKeyMetadata?.[0]?.Status, 'Inactive');
    // AWS answers a request signed with an inactive key as it answers an unknown one.
    assert.deepEqual(await failure(ivy.send(new GetUserCommand({}))), INVALID_TOKEN);

    await root.send(new UpdateAccessKeyCommand({ UserName: 'ivy', AccessKeyId: key.accessKeyId, Status: 'Active' }));
    assert.equal((await ivy.send(new GetUserCommand({}))).User?.UserName, 'ivy');
  });

  test('a deleted key stops authenticating; managing it again is NoSuchEntity', async () => {
    const root = iamClient(server.endpoint);
    const key = await userWithKey('del');
    const del = iamClient(server.endpoint, key);
    assert.equal((await del.send(new GetUserCommand({}))).User?.UserName, 'del');
    await root.send(new DeleteAccessKeyCommand({ UserName: 'del', AccessKeyId: key.accessKeyId }));
    assert.deepEqual(await failure(del.send(new GetUserCommand({}))), INVALID_TOKEN);
    const missing = { name: 'NoSuchEntityException', message: `The Access Key with id ${key.accessKeyId} cannot be found.`, status: 404 };
    assert.deepEqual(await failure(root.send(new DeleteAccessKeyCommand({ UserName: 'del', AccessKeyId: key.accessKeyId }))), missing);
    assert.deepEqual(await failure(root.send(new UpdateAccessKeyCommand({ UserName: 'del', AccessKeyId: key.accessKeyId, Status: 'Active' }))), missing);
    assert.deepEqual(await failure(root.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.accessKeyId }))), missing);
  });

  test('a third key is LimitExceeded (AccessKeysPerUser: 2)', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateUserCommand({ UserName: 'twokeys' }));
    await root.send(new CreateAccessKeyCommand({ UserName: 'twokeys' }));
    await root.send(new CreateAccessKeyCommand({ UserName: 'twokeys' }));
    assert.deepEqual(await failure(root.send(new CreateAccessKeyCommand({ UserName: 'twokeys' }))), {
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for AccessKeysPerUser: 2',
      status: 409,
    });
    assert.equal((await root.send(new ListAccessKeysCommand({ UserName: 'twokeys' }))).AccessKeyMetadata?.length, 2);
  });

  test('another user\'s key is NoSuchEntity under the wrong UserName', async () => {
    const root = iamClient(server.endpoint);
    const key = await userWithKey('owner1');
    await root.send(new CreateUserCommand({ UserName: 'owner2' }));
    assert.deepEqual(await failure(root.send(new UpdateAccessKeyCommand({ UserName: 'owner2', AccessKeyId: key.accessKeyId, Status: 'Inactive' }))), {
      name: 'NoSuchEntityException',
      message: `The Access Key with id ${key.accessKeyId} cannot be found.`,
      status: 404,
    });
  });

  test('GetAccessKeyLastUsed: N/A before use, then the date, service and region of the last signed request', async () => {
    const root = iamClient(server.endpoint);
    const key = await userWithKey('tracked');
    const unused = await root.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.accessKeyId }));
    assert.equal(unused.UserName, 'tracked');
    assert.deepEqual(unused.AccessKeyLastUsed, { ServiceName: 'N/A', Region: 'N/A' });

    const start = Date.now();
    await iamClient(server.endpoint, key).send(new GetUserCommand({}));
    // Use is written in batches (about every second): poll up to 5 s.
    let report: GetAccessKeyLastUsedCommandOutput | undefined;
    for (let waited = 0; waited <= 5000; waited += 100) {
      report = await root.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.accessKeyId }));
      if (report.AccessKeyLastUsed?.LastUsedDate !== undefined) break;
      await sleep(100);
    }
    const used = report?.AccessKeyLastUsed;
    assert.ok(used?.LastUsedDate instanceof Date, 'LastUsedDate appears within 5 s');
    // The Query protocol's timestamps have second precision at most: allow for truncation.
    assert.ok(used.LastUsedDate.getTime() >= start - 1000 && used.LastUsedDate.getTime() <= Date.now(), String(used.LastUsedDate));
    assert.equal(used.ServiceName, 'iam');
    assert.equal(used.Region, 'us-east-1');
    assert.ok(Date.now() - start < 5000);
  });

  test('the root user manages its own keys without UserName', async () => {
    const root = iamClient(server.endpoint);
    const created = (await root.send(new CreateAccessKeyCommand({}))).AccessKey;
    assert.ok(created?.AccessKeyId !== undefined && created.SecretAccessKey !== undefined);
    assert.match(created.AccessKeyId, /^AKIA[A-Z0-9]{16}$/);
    assert.equal(created.SecretAccessKey.length, 40);
    // Root has no IAM user name: Gatehouse leaves UserName out of root keys.
    assert.equal(created.UserName, undefined);

    const ids = (await root.send(new ListAccessKeysCommand({}))).AccessKeyMetadata?.map((k) => k.AccessKeyId).sort();
    assert.deepEqual(ids, [ROOT_KEY.accessKeyId, created.AccessKeyId].sort());
    // Root keys are not any user's keys.
    await root.send(new CreateUserCommand({ UserName: 'bystander' }));
    assert.deepEqual((await root.send(new ListAccessKeysCommand({ UserName: 'bystander' }))).AccessKeyMetadata, []);

    // The new key signs as root: it may do anything in the account.
    const second = iamClient(server.endpoint, { accessKeyId: created.AccessKeyId, secretAccessKey: created.SecretAccessKey });
    assert.ok(Array.isArray((await second.send(new ListUsersCommand({}))).Users));

    assert.deepEqual(await failure(root.send(new CreateAccessKeyCommand({}))), {
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for AccessKeysPerUser: 2',
      status: 409,
    });
    await root.send(new UpdateAccessKeyCommand({ AccessKeyId: created.AccessKeyId, Status: 'Inactive' }));
    assert.deepEqual(await failure(second.send(new ListUsersCommand({}))), INVALID_TOKEN);
    await root.send(new DeleteAccessKeyCommand({ AccessKeyId: created.AccessKeyId }));
    assert.deepEqual((await root.send(new ListAccessKeysCommand({}))).AccessKeyMetadata?.map((k) => k.AccessKeyId), [ROOT_KEY.accessKeyId]);
    // The key the server started with still works.
    assert.ok(Array.isArray((await root.send(new ListUsersCommand({}))).Users));
  });

  test('a user without permission is denied ListAccessKeys on its own user with AWS message', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateUserCommand({ UserName: 'nokeys', Path: '/staff/' }));
    const created = (await root.send(new CreateAccessKeyCommand({ UserName: 'nokeys' }))).AccessKey;
    assert.ok(created?.AccessKeyId !== undefined && created.SecretAccessKey !== undefined);
    const user = iamClient(server.endpoint, { accessKeyId: created.AccessKeyId, secretAccessKey: created.SecretAccessKey });
    const arn = `arn:aws:iam::${TEST_ACCOUNT_ID}:user/staff/nokeys`;
    assert.deepEqual(await failure(user.send(new ListAccessKeysCommand({}))), {
      name: 'AccessDenied',
      message: `User: ${arn} is not authorized to perform: iam:ListAccessKeys on resource: ${arn} because no identity-based policy allows the iam:ListAccessKeys action`,
      status: 403,
    });
    assert.deepEqual(await failure(user.send(new CreateAccessKeyCommand({}))), {
      name: 'AccessDenied',
      message: `User: ${arn} is not authorized to perform: iam:CreateAccessKey on resource: ${arn} because no identity-based policy allows the iam:CreateAccessKey action`,
      status: 403,
    });
  });
});
