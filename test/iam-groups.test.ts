// Groups and memberships through the AWS SDK for JavaScript v3 against a real server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  DeleteGroupPolicyCommand,
  DeleteUserCommand,
  DetachGroupPolicyCommand,
  GetGroupCommand,
  ListGroupsCommand,
  ListGroupsForUserCommand,
  PutGroupPolicyCommand,
  RemoveUserFromGroupCommand,
  UpdateGroupCommand,
} from '@aws-sdk/client-iam';
import { failure, iamClient } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const server = useTestServer();

const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

describe('groups', () => {
  test('create, get with its members, rename keeps the members, delete', async () => {
    const iam = iamClient(server.endpoint);
    const created = await iam.send(new CreateGroupCommand({ GroupName: 'Admins', Path: '/ops/' }));
    assert.equal(created.Group?.GroupName, 'Admins');
    assert.equal(created.Group?.Path, '/ops/');
    assert.equal(created.Group?.Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:group/ops/Admins`);
    assert.match(created.Group?.GroupId ?? '', /^AGPA[A-Z2-7]{17}$/);
    assert.ok(created.Group?.CreateDate instanceof Date);

    await iam.send(new CreateUserCommand({ UserName: 'zoe' }));
    await iam.send(new CreateUserCommand({ UserName: 'amy', Path: '/eng/' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'Admins', UserName: 'zoe' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'admins', UserName: 'AMY' }));
    // Adding a member twice succeeds and changes nothing.
    await iam.send(new AddUserToGroupCommand({ GroupName: 'Admins', UserName: 'zoe' }));

    const got = await iam.send(new GetGroupCommand({ GroupName: 'ADMINS' }));
    assert.equal(got.Group?.GroupName, 'Admins');
    assert.equal(got.IsTruncated, false);
    assert.deepEqual(got.Users?.map((u) => u.UserName), ['amy', 'zoe']);
    assert.equal(got.Users?.[0]?.Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:user/eng/amy`);

    const paged = await iam.send(new GetGroupCommand({ GroupName: 'Admins', MaxItems: 1 }));
    assert.equal(paged.IsTruncated, true);
    assert.deepEqual(paged.Users?.map((u) => u.UserName), ['amy']);
    const rest = await iam.send(new GetGroupCommand({ GroupName: 'Admins', MaxItems: 1, Marker: paged.Marker }));
    assert.deepEqual(rest.Users?.map((u) => u.UserName), ['zoe']);

    await iam.send(new UpdateGroupCommand({ GroupName: 'Admins', NewGroupName: 'Operators', NewPath: '/team/' }));
    const renamed = await iam.send(new GetGroupCommand({ GroupName: 'Operators' }));
    assert.equal(renamed.Group?.Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:group/team/Operators`);
    assert.equal(renamed.Group?.GroupId, created.Group?.GroupId);
    assert.deepEqual(renamed.Users?.map((u) => u.UserName), ['amy', 'zoe']);
    assert.deepEqual((await iam.send(new ListGroupsForUserCommand({ UserName: 'zoe' }))).Groups?.map((g) => g.GroupName), ['Operators']);
    assert.deepEqual(await failure(iam.send(new GetGroupCommand({ GroupName: 'Admins' }))), {
      name: 'NoSuchEntityException',
      message: 'The group with name Admins cannot be found.',
      status: 404,
    });

    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'Operators', UserName: 'zoe' }));
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'Operators', UserName: 'amy' }));
    assert.deepEqual((await iam.send(new GetGroupCommand({ GroupName: 'Operators' }))).Users, []);
    assert.deepEqual((await iam.send(new ListGroupsForUserCommand({ UserName: 'zoe' }))).Groups, []);
    await iam.send(new DeleteGroupCommand({ GroupName: 'Operators' }));
    assert.deepEqual((await iam.send(new ListGroupsCommand({}))).Groups, []);
    await iam.send(new DeleteUserCommand({ UserName: 'zoe' }));
    await iam.send(new DeleteUserCommand({ UserName: 'amy' }));
  });

  test('ListGroups with a path prefix, and pagination with MaxItems and Marker', async () => {
    const iam = iamClient(server.endpoint);
    for (const name of ['g1', 'g2', 'g3']) await iam.send(new CreateGroupCommand({ GroupName: name, Path: '/paged/' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'elsewhere', Path: '/other/' }));
    const paged = await iam.send(new ListGroupsCommand({ PathPrefix: '/paged/' }));
    assert.deepEqual(paged.Groups?.map((g) => g.GroupName), ['g1', 'g2', 'g3']);
    assert.equal(paged.IsTruncated, false);
    assert.deepEqual((await iam.send(new ListGroupsCommand({}))).Groups?.length, 4);

    const first = await iam.send(new ListGroupsCommand({ PathPrefix: '/paged/', MaxItems: 2 }));
    assert.equal(first.IsTruncated, true);
    assert.equal(typeof first.Marker, 'string');
    assert.deepEqual(first.Groups?.map((g) => g.GroupName), ['g1', 'g2']);
    const second = await iam.send(new ListGroupsCommand({ PathPrefix: '/paged/', MaxItems: 2, Marker: first.Marker }));
    assert.equal(second.IsTruncated, false);
    assert.equal(second.Marker, undefined);
    assert.deepEqual(second.Groups?.map((g) => g.GroupName), ['g3']);
    for (const name of ['g1', 'g2', 'g3', 'elsewhere']) await iam.send(new DeleteGroupCommand({ GroupName: name }));
  });

  test('ListGroupsForUser lists a user\'s groups by name, and pages', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateUserCommand({ UserName: 'member' }));
    for (const name of ['beta', 'Alpha', 'gamma']) {
      await iam.send(new CreateGroupCommand({ GroupName: name }));
      await iam.send(new AddUserToGroupCommand({ GroupName: name, UserName: 'member' }));
    }
    const all = await iam.send(new ListGroupsForUserCommand({ UserName: 'member' }));
    assert.deepEqual(all.Groups?.map((g) => g.GroupName), ['Alpha', 'beta', 'gamma']);
    assert.equal(all.Groups?.[0]?.Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:group/Alpha`);
    const first = await iam.send(new ListGroupsForUserCommand({ UserName: 'member', MaxItems: 2 }));
    assert.equal(first.IsTruncated, true);
    const second = await iam.send(new ListGroupsForUserCommand({ UserName: 'member', MaxItems: 2, Marker: first.Marker }));
    assert.deepEqual([...(first.Groups ?? []), ...(second.Groups ?? [])].map((g) => g.GroupName), ['Alpha', 'beta', 'gamma']);
    assert.equal(second.IsTruncated, false);
    for (const name of ['beta', 'Alpha', 'gamma']) {
      await iam.send(new RemoveUserFromGroupCommand({ GroupName: name, UserName: 'member' }));
      await iam.send(new DeleteGroupCommand({ GroupName: name }));
    }
    await iam.send(new DeleteUserCommand({ UserName: 'member' }));
  });
});

describe('group errors', () => {
  test('NoSuchEntity for a missing group or user', async () => {
    const iam = iamClient(server.endpoint);
    const noGroup = { name: 'NoSuchEntityException', message: 'The group with name Nope cannot be found.', status: 404 };
    assert.deepEqual(await failure(iam.send(new GetGroupCommand({ GroupName: 'Nope' }))), noGroup);
    assert.deepEqual(await failure(iam.send(new UpdateGroupCommand({ GroupName: 'Nope', NewPath: '/x/' }))), noGroup);
    assert.deepEqual(await failure(iam.send(new DeleteGroupCommand({ GroupName: 'Nope' }))), noGroup);
    await iam.send(new CreateUserCommand({ UserName: 'lonely' }));
    assert.deepEqual(await failure(iam.send(new AddUserToGroupCommand({ GroupName: 'Nope', UserName: 'lonely' }))), noGroup);
    assert.deepEqual(await failure(iam.send(new RemoveUserFromGroupCommand({ GroupName: 'Nope', UserName: 'lonely' }))), noGroup);
    await iam.send(new CreateGroupCommand({ GroupName: 'Real' }));
    const noUser = { name: 'NoSuchEntityException', message: 'The user with name ghost cannot be found.', status: 404 };
    assert.deepEqual(await failure(iam.send(new AddUserToGroupCommand({ GroupName: 'Real', UserName: 'ghost' }))), noUser);
    assert.deepEqual(await failure(iam.send(new ListGroupsForUserCommand({ UserName: 'ghost' }))), noUser);
    await iam.send(new DeleteGroupCommand({ GroupName: 'Real' }));
    await iam.send(new DeleteUserCommand({ UserName: 'lonely' }));
  });

  test('EntityAlreadyExists for a name taken in any case, by CreateGroup and by a rename', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateGroupCommand({ GroupName: 'Twins' }));
    assert.deepEqual(await failure(iam.send(new CreateGroupCommand({ GroupName: 'TWINS' }))), {
      name: 'EntityAlreadyExistsException',
      message: 'Group with name TWINS already exists.',
      status: 409,
    });
    await iam.send(new CreateGroupCommand({ GroupName: 'Other' }));
    assert.deepEqual(await failure(iam.send(new UpdateGroupCommand({ GroupName: 'Other', NewGroupName: 'twins' }))), {
      name: 'EntityAlreadyExistsException',
      message: 'Group with name twins already exists.',
      status: 409,
    });
    // A change of case only renames the group itself.
    await iam.send(new UpdateGroupCommand({ GroupName: 'Other', NewGroupName: 'OTHER' }));
    assert.equal((await iam.send(new GetGroupCommand({ GroupName: 'other' }))).Group?.GroupName, 'OTHER');
    await iam.send(new DeleteGroupCommand({ GroupName: 'Twins' }));
    await iam.send(new DeleteGroupCommand({ GroupName: 'OTHER' }));
  });

  test('DeleteConflict while the group has members, inline policies or attached policies', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateGroupCommand({ GroupName: 'Busy' }));
    await iam.send(new CreateUserCommand({ UserName: 'busybee' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'Busy', UserName: 'busybee' }));
    assert.deepEqual(await failure(iam.send(new DeleteGroupCommand({ GroupName: 'Busy' }))), {
      name: 'DeleteConflictException',
      message: 'Cannot delete entity, must remove users from group first.',
      status: 409,
    });
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'Busy', UserName: 'busybee' }));

    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }] });
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'Busy', PolicyName: 'list', PolicyDocument: document }));
    assert.deepEqual(await failure(iam.send(new DeleteGroupCommand({ GroupName: 'Busy' }))), {
      name: 'DeleteConflictException',
      message: 'Cannot delete entity, must delete policies first.',
      status: 409,
    });
    await iam.send(new DeleteGroupPolicyCommand({ GroupName: 'Busy', PolicyName: 'list' }));

    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'Busy', PolicyArn: READ_ONLY }));
    assert.deepEqual(await failure(iam.send(new DeleteGroupCommand({ GroupName: 'Busy' }))), {
      name: 'DeleteConflictException',
      message: 'Cannot delete entity, must detach all policies first.',
      status: 409,
    });
    await iam.send(new DetachGroupPolicyCommand({ GroupName: 'Busy', PolicyArn: READ_ONLY }));

    await iam.send(new DeleteGroupCommand({ GroupName: 'Busy' }));
    await iam.send(new DeleteUserCommand({ UserName: 'busybee' }));
  });

  test('LimitExceeded for an 11th group of one user (GroupsPerUser: 10)', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateUserCommand({ UserName: 'joiner' }));
    const names = Array.from({ length: 11 }, (_, i) => `club${String(i).padStart(2, '0')}`);
    for (const name of names) await iam.send(new CreateGroupCommand({ GroupName: name }));
    for (const name of names.slice(0, 10)) await iam.send(new AddUserToGroupCommand({ GroupName: name, UserName: 'joiner' }));
    assert.deepEqual(await failure(iam.send(new AddUserToGroupCommand({ GroupName: names[10], UserName: 'joiner' }))), {
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for GroupsPerUser: 10',
      status: 409,
    });
    // Adding again to a group the user is already in is no new membership: still allowed at the quota.
    await iam.send(new AddUserToGroupCommand({ GroupName: names[0], UserName: 'joiner' }));
    assert.equal((await iam.send(new ListGroupsForUserCommand({ UserName: 'joiner' }))).Groups?.length, 10);
    for (const name of names.slice(0, 10)) await iam.send(new RemoveUserFromGroupCommand({ GroupName: name, UserName: 'joiner' }));
    for (const name of names) await iam.send(new DeleteGroupCommand({ GroupName: name }));
    await iam.send(new DeleteUserCommand({ UserName: 'joiner' }));
  });

  test('ValidationError for a bad group name', async () => {
    const iam = iamClient(server.endpoint);
    assert.deepEqual(await failure(iam.send(new CreateGroupCommand({ GroupName: 'bad name!' }))), {
      name: 'ValidationError',
      message: "1 validation error detected: Value 'bad name!' at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
      status: 400,
    });
  });

  test('a user without permission is denied ListGroups with AWS message', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateUserCommand({ UserName: 'nogroups' }));
    const key = (await root.send(new CreateAccessKeyCommand({ UserName: 'nogroups' }))).AccessKey;
    assert.ok(key?.AccessKeyId !== undefined && key.SecretAccessKey !== undefined);
    const user = iamClient(server.endpoint, { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey });
    assert.deepEqual(await failure(user.send(new ListGroupsCommand({}))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/nogroups is not authorized to perform: iam:ListGroups on resource: arn:aws:iam::${TEST_ACCOUNT_ID}:group/ because no identity-based policy allows the iam:ListGroups action`,
      status: 403,
    });
    await root.send(new CreateGroupCommand({ GroupName: 'Locked', Path: '/sec/' }));
    assert.deepEqual(await failure(user.send(new DeleteGroupCommand({ GroupName: 'Locked' }))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/nogroups is not authorized to perform: iam:DeleteGroup on resource: arn:aws:iam::${TEST_ACCOUNT_ID}:group/sec/Locked because no identity-based policy allows the iam:DeleteGroup action`,
      status: 403,
    });
    assert.equal((await root.send(new GetGroupCommand({ GroupName: 'Locked' }))).Group?.GroupName, 'Locked');
    await root.send(new DeleteGroupCommand({ GroupName: 'Locked' }));
  });
});
