// Instance profiles through the AWS SDK for JavaScript v3 against a real server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  GetInstanceProfileCommand,
  ListInstanceProfilesCommand,
  ListInstanceProfilesForRoleCommand,
  ListInstanceProfileTagsCommand,
  RemoveRoleFromInstanceProfileCommand,
  TagInstanceProfileCommand,
  UntagInstanceProfileCommand,
} from '@aws-sdk/client-iam';
import { failure, iamClient } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const server = useTestServer();

const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

describe('instance profiles', () => {
  test('create, get, list with a path prefix and pagination, delete', async () => {
    const iam = iamClient(server.endpoint);
    const created = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'web', Path: '/fleet/' }));
    assert.equal(created.InstanceProfile?.Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:instance-profile/fleet/web`);
    assert.match(created.InstanceProfile?.InstanceProfileId ?? '', /^AIPA[A-Z2-7]{17}$/);
    assert.deepEqual(created.InstanceProfile?.Roles, []);
    assert.ok(created.InstanceProfile?.CreateDate instanceof Date);
    const got = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'WEB' }))).InstanceProfile;
    assert.equal(got?.InstanceProfileName, 'web');
    assert.equal(got?.Path, '/fleet/');
    for (const name of ['p1', 'p2']) await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name, Path: '/fleet/' }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'elsewhere' }));
    const fleet = await iam.send(new ListInstanceProfilesCommand({ PathPrefix: '/fleet/' }));
    assert.deepEqual(fleet.InstanceProfiles?.map((p) => p.InstanceProfileName), ['p1', 'p2', 'web']);
    const first = await iam.send(new ListInstanceProfilesCommand({ PathPrefix: '/fleet/', MaxItems: 2 }));
    assert.equal(first.IsTruncated, true);
    assert.deepEqual(first.InstanceProfiles?.map((p) => p.InstanceProfileName), ['p1', 'p2']);
    const second = await iam.send(new ListInstanceProfilesCommand({ PathPrefix: '/fleet/', MaxItems: 2, Marker: first.Marker }));
    assert.equal(second.IsTruncated, false);
    assert.deepEqual(second.InstanceProfiles?.map((p) => p.InstanceProfileName), ['web']);
    assert.equal((await iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles?.length, 4);
    for (const name of ['web', 'p1', 'p2', 'elsewhere']) await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: name }));
    assert.deepEqual((await iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles, []);
  });

  test('errors: NoSuchEntity and EntityAlreadyExists', async () => {
    const iam = iamClient(server.endpoint);
    assert.deepEqual(await failure(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'ghost' }))), {
      name: 'NoSuchEntityException',
      message: 'Instance Profile ghost cannot be found.',
      status: 404,
    });
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'once' }));
    assert.deepEqual(await failure(iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'once' }))), {
      name: 'EntityAlreadyExistsException',
      message: 'Instance Profile once already exists.',
      status: 409,
    });
    await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'once' }));
    assert.equal((await failure(iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'once' })))).name, 'NoSuchEntityException');
  });

  test('one role per profile: add, a second role is LimitExceeded, list for role, remove; DeleteConflict while a role remains', async () => {
    const iam = iamClient(server.endpoint);
    for (const name of ['app', 'other']) await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: EC2_TRUST }));
    for (const name of ['app-a', 'app-b']) await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'app-a', RoleName: 'app' }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'app-b', RoleName: 'app' }));

    const profile = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'app-a' }))).InstanceProfile;
    assert.deepEqual(profile?.Roles?.map((r) => r.RoleName), ['app']);
    assert.equal(profile?.Roles?.[0]?.Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:role/app`);
    assert.deepEqual(JSON.parse(decodeURIComponent(profile?.Roles?.[0]?.AssumeRolePolicyDocument ?? '')), JSON.parse(EC2_TRUST));

    assert.deepEqual(await failure(iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'app-a', RoleName: 'other' }))), {
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1',
      status: 409,
    });
    assert.deepEqual(await failure(iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'app-a', RoleName: 'ghost' }))), {
      name: 'NoSuchEntityException',
      message: 'The role with name ghost cannot be found.',
      status: 404,
    });

    const forRole = await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'app' }));
    assert.deepEqual(forRole.InstanceProfiles?.map((p) => p.InstanceProfileName), ['app-a', 'app-b']);
    assert.equal(forRole.IsTruncated, false);
    const page = await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'app', MaxItems: 1 }));
    assert.equal(page.IsTruncated, true);
    assert.deepEqual(page.InstanceProfiles?.map((p) => p.InstanceProfileName), ['app-a']);
    assert.deepEqual((await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'other' }))).InstanceProfiles, []);
    assert.equal((await iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles?.find((p) => p.InstanceProfileName === 'app-b')?.Roles?.[0]?.RoleName, 'app');

    assert.deepEqual(await failure(iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'app-a' }))), {
      name: 'DeleteConflictException',
      message: 'Cannot delete entity, must remove roles from instance profile first.',
      status: 409,
    });
    await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'app-a', RoleName: 'app' }));
    assert.equal((await failure(iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'app-a', RoleName: 'app' })))).name, 'NoSuchEntityException');
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'app-a', RoleName: 'other' }));
    assert.deepEqual((await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'app' }))).InstanceProfiles?.map((p) => p.InstanceProfileName), ['app-b']);

    await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'app-a', RoleName: 'other' }));
    await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'app-b', RoleName: 'app' }));
    for (const name of ['app-a', 'app-b']) await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: name }));
    for (const name of ['app', 'other']) await iam.send(new DeleteRoleCommand({ RoleName: name }));
  });

  test('tags', async () => {
    const iam = iamClient(server.endpoint);
    const created = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'tagged', Tags: [{ Key: 'team', Value: 'blue' }] }));
    assert.deepEqual(created.InstanceProfile?.Tags, [{ Key: 'team', Value: 'blue' }]);
    assert.deepEqual((await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'tagged' }))).InstanceProfile?.Tags, [{ Key: 'team', Value: 'blue' }]);
    // IAM documents that ListInstanceProfiles leaves out tags.
    assert.equal((await iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles?.[0]?.Tags, undefined);
    await iam.send(new TagInstanceProfileCommand({ InstanceProfileName: 'tagged', Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'TEAM', Value: 'red' }] }));
    assert.deepEqual((await iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: 'tagged' }))).Tags, [
      { Key: 'env', Value: 'dev' },
      { Key: 'TEAM', Value: 'red' },
    ]);
    await iam.send(new UntagInstanceProfileCommand({ InstanceProfileName: 'tagged', TagKeys: ['team'] }));
    assert.deepEqual((await iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: 'tagged' }))).Tags, [{ Key: 'env', Value: 'dev' }]);
    assert.equal((await failure(iam.send(new TagInstanceProfileCommand({ InstanceProfileName: 'ghost', Tags: [{ Key: 'a', Value: 'b' }] })))).name, 'NoSuchEntityException');
    await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'tagged' }));
  });
});
