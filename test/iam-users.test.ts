// Users, authentication and enforcement through the AWS SDK for JavaScript v3 against a real server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteUserCommand,
  DeleteUserPermissionsBoundaryCommand,
  GetUserCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-iam';
import { CreateGovCloudAccountCommand } from '@aws-sdk/client-organizations';
import { failure, iamClient, organizationsClient } from './helpers/clients.js';
import { ROOT_KEY, TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const server = useTestServer();

describe('users', () => {
  test('create, get, list with a path prefix, rename, delete', async () => {
    const iam = iamClient(server.endpoint);
    const created = await iam.send(new CreateUserCommand({ UserName: 'carol', Path: '/eng/', Tags: [{ Key: 'team', Value: 'blue' }] }));
    assert.equal(created.User?.Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:user/eng/carol`);
    assert.match(created.User?.UserId ?? '', /^AIDA[A-Z2-7]{17}$/);
    assert.ok(created.User?.CreateDate instanceof Date);
    const got = await iam.send(new GetUserCommand({ UserName: 'CAROL' }));
    assert.equal(got.User?.UserName, 'carol');
    assert.deepEqual(got.User?.Tags, [{ Key: 'team', Value: 'blue' }]);
    await iam.send(new CreateUserCommand({ UserName: 'dave' }));
    const eng = await iam.send(new ListUsersCommand({ PathPrefix: '/eng/' }));
    assert.deepEqual(eng.Users?.map((u) => u.UserName), ['carol']);
    await iam.send(new UpdateUserCommand({ UserName: 'dave', NewUserName: 'david', NewPath: '/ops/' }));
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'david' }))).User?.Path, '/ops/');
    await iam.send(new DeleteUserCommand({ UserName: 'david' }));
    await iam.send(new DeleteUserCommand({ UserName: 'carol' }));
    assert.deepEqual((await iam.send(new ListUsersCommand({}))).Users, []);
  });

  test('pagination with MaxItems and Marker', async () => {
    const iam = iamClient(server.endpoint);
    for (const name of ['p1', 'p2', 'p3']) await iam.send(new CreateUserCommand({ UserName: name, Path: '/page/' }));
    const first = await iam.send(new ListUsersCommand({ PathPrefix: '/page/', MaxItems: 2 }));
    assert.equal(first.IsTruncated, true);
    assert.deepEqual(first.Users?.map((u) => u.UserName), ['p1', 'p2']);
    const second = await iam.send(new ListUsersCommand({ PathPrefix: '/page/', MaxItems: 2, Marker: first.Marker }));
    assert.equal(second.IsTruncated, false);
    assert.deepEqual(second.Users?.map((u) => u.UserName), ['p3']);
    for (const name of ['p1', 'p2', 'p3']) await iam.send(new DeleteUserCommand({ UserName: name }));
  });

  test('tags and permissions boundary', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateUserCommand({ UserName: 'tagged' }));
    await iam.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await iam.send(new UntagUserCommand({ UserName: 'tagged', TagKeys: ['A'] }));
    assert.deepEqual((await iam.send(new ListUserTagsCommand({ UserName: 'tagged' }))).Tags, [{ Key: 'b', Value: '2' }]);
    const boundary = 'arn:aws:iam::aws:policy/PowerUserAccess';
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'tagged', PermissionsBoundary: boundary }));
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'tagged' }))).User?.PermissionsBoundary?.PermissionsBoundaryArn, boundary);
    const missing = await failure(iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'tagged', PermissionsBoundary: `arn:aws:iam::${TEST_ACCOUNT_ID}:policy/Nope` })));
    assert.deepEqual(missing, { name: 'NoSuchEntityException', message: `Policy arn:aws:iam::${TEST_ACCOUNT_ID}:policy/Nope does not exist or is not attachable.`, status: 404 });
    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'tagged' }));
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'tagged' }))).User?.PermissionsBoundary, undefined);
    await iam.send(new DeleteUserCommand({ UserName: 'tagged' }));
  });

  test('error paths: NoSuchEntity, EntityAlreadyExists, ValidationError', async () => {
    const iam = iamClient(server.endpoint);
    assert.deepEqual(await failure(iam.send(new GetUserCommand({ UserName: 'ghost' }))), {
      name: 'NoSuchEntityException',
      message: 'The user with name ghost cannot be found.',
      status: 404,
    });
    await iam.send(new CreateUserCommand({ UserName: 'twin' }));
    assert.deepEqual(await failure(iam.send(new CreateUserCommand({ UserName: 'TWIN' }))), {
      name: 'EntityAlreadyExistsException',
      message: 'User with name TWIN already exists.',
      status: 409,
    });
    const invalid = await failure(iam.send(new CreateUserCommand({ UserName: 'bad name!' })));
    assert.equal(invalid.name, 'ValidationError');
    assert.equal(invalid.status, 400);
    assert.equal(invalid.message, "1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    await iam.send(new DeleteUserCommand({ UserName: 'twin' }));
  });
});

describe('authentication and enforcement', () => {
  test('a wrong secret is SignatureDoesNotMatch, an unknown key InvalidClientTokenId', async () => {
    const wrong = await failure(iamClient(server.endpoint, { accessKeyId: ROOT_KEY.accessKeyId, secretAccessKey: 'not-the-secret' }).send(new ListUsersCommand({})));
    assert.equal(wrong.name, 'SignatureDoesNotMatch');
    assert.equal(wrong.status, 403);
    assert.match(wrong.message, /^The request signature we calculated does not match the signature you provided/);
    const unknown = await failure(iamClient(server.endpoint, { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x' }).send(new ListUsersCommand({})));
    assert.deepEqual(unknown, { name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.', status: 403 });
  });

  test('a user with no policy is denied with AWS message; a policy change applies to the next request', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateUserCommand({ UserName: 'eve' }));
    const key = (await root.send(new CreateAccessKeyCommand({ UserName: 'eve' }))).AccessKey;
    assert.ok(key?.AccessKeyId !== undefined && key.SecretAccessKey !== undefined);
    const eve = iamClient(server.endpoint, { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey });
    assert.deepEqual(await failure(eve.send(new GetUserCommand({ UserName: 'eve' }))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/eve is not authorized to perform: iam:GetUser on resource: arn:aws:iam::${TEST_ACCOUNT_ID}:user/eve because no identity-based policy allows the iam:GetUser action`,
      status: 403,
    });
    const self = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: 'arn:aws:iam::*:user/${aws:username}' }] });
    await root.send(new PutUserPolicyCommand({ UserName: 'eve', PolicyName: 'self', PolicyDocument: self }));
    assert.equal((await eve.send(new GetUserCommand({}))).User?.UserName, 'eve');
    const other = await failure(eve.send(new GetUserCommand({ UserName: 'nobody' })));
    assert.equal(other.name, 'AccessDenied');
  });

  test('an operation of the API that Gatehouse does not implement answers 501, never a fake success', async () => {
    // Every IAM operation is served; Organizations' GovCloud account creation is not.
    const create = new CreateGovCloudAccountCommand({ Email: 'gov@example.com', AccountName: 'gov' });
    const result = await failure(organizationsClient(server.endpoint).send(create));
    assert.equal(result.status, 501);
    assert.equal(result.name, 'NotImplemented');
    assert.match(result.message, /CreateGovCloudAccount is not implemented/);
  });
});
