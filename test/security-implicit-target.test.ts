// Operations whose UserName is optional act on the caller only when the caller is an IAM user or the root user. A
// role session or a federated user that leaves UserName out gets AWS's ValidationError, and nothing changes: before,
// a key-rotation role could create, deactivate and delete the root user's access keys. Also: AddRoleToInstanceProfile
// needs iam:PassRole on the role.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  AddRoleToInstanceProfileCommand,
  CreateAccessKeyCommand,
  CreateInstanceProfileCommand,
  CreateLoginProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteUserPolicyCommand,
  GetInstanceProfileCommand,
  GetLoginProfileCommand,
  GetMFADeviceCommand,
  GetUserCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetFederationTokenCommand } from '@aws-sdk/client-sts';
import { failure, iamClient, keyOf, stsClient, type Key } from './helpers/clients.js';
import { REGION, ROOT_KEY, TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const ACCOUNT_ROOT = `arn:aws:iam::${TEST_ACCOUNT_ID}:root`;
const NON_USER = { name: 'ValidationError', message: 'Must specify userName when calling with non-User credentials', status: 400 };
const ROTATION_ACTIONS = [
  'iam:CreateAccessKey',
  'iam:ListAccessKeys',
  'iam:UpdateAccessKey',
  'iam:DeleteAccessKey',
  'iam:GetUser',
  'iam:ListMFADevices',
  'iam:GetMFADevice',
  'iam:DeactivateMFADevice',
  'iam:GetLoginProfile',
  'iam:CreateLoginProfile',
  'iam:DeleteLoginProfile',
];
const allow = (action: string | string[], resource: string, condition?: unknown): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource, ...(condition !== undefined ? { Condition: condition } : {}) }] });

let rotatorSession: Key;
let federated: Key;
let operator: Key;

const server = useTestServer({}, {}, async () => {
  const root = iamClient(server.endpoint);
  await root.send(new CreateUserCommand({ UserName: 'operator' }));
  operator = userKey((await root.send(new CreateAccessKeyCommand({ UserName: 'operator' }))).AccessKey);
  await root.send(new PutUserPolicyCommand({ UserName: 'operator', PolicyName: 'assume', PolicyDocument: allow(['sts:AssumeRole', 'sts:GetFederationToken'], '*') }));
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT_ROOT }, Action: 'sts:AssumeRole' }] });
  await root.send(new CreateRoleCommand({ RoleName: 'key-rotator', AssumeRolePolicyDocument: trust }));
  await root.send(new PutRolePolicyCommand({ RoleName: 'key-rotator', PolicyName: 'rotate', PolicyDocument: allow(ROTATION_ACTIONS, '*') }));
  const sts = stsClient(server.endpoint, operator);
  const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/key-rotator`, RoleSessionName: 'rotation' }));
  rotatorSession = keyOf(assumed.Credentials);
  // The federation token carries operator's name, and a session policy allowing everything operator may do.
  const token = await sts.send(new GetFederationTokenCommand({ Name: 'fed', Policy: allow('*', '*') }));
  federated = keyOf(token.Credentials);
});

function userKey(key: { AccessKeyId?: string; SecretAccessKey?: string } | undefined): Key {
  assert.ok(key?.AccessKeyId !== undefined && key.SecretAccessKey !== undefined);
  return { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
}

const keyIds = async (client: IAMClient, userName?: string): Promise<Array<[string, string]>> =>
  ((await client.send(new ListAccessKeysCommand(userName === undefined ? {} : { UserName: userName }))).AccessKeyMetadata ?? [])
    .map((k): [string, string] => [k.AccessKeyId ?? '', k.Status ?? ''])
    .sort();

/** Every implicit-target call a session might try, each aimed at the root user's (or the issuing user's) own things. */
async function everyImplicitCall(client: IAMClient): Promise<Array<{ name: string; failed: Awaited<ReturnType<typeof failure>> }>> {
  const calls: Array<[string, Promise<unknown>]> = [
    ['CreateAccessKey', client.send(new CreateAccessKeyCommand({}))],
    ['ListAccessKeys', client.send(new ListAccessKeysCommand({}))],
    ['UpdateAccessKey', client.send(new UpdateAccessKeyCommand({ AccessKeyId: ROOT_KEY.accessKeyId, Status: 'Inactive' }))],
    ['DeleteAccessKey', client.send(new DeleteAccessKeyCommand({ AccessKeyId: ROOT_KEY.accessKeyId }))],
    ['GetUser', client.send(new GetUserCommand({}))],
    ['ListMFADevices', client.send(new ListMFADevicesCommand({}))],
    ['GetMFADevice', client.send(new GetMFADeviceCommand({ SerialNumber: `arn:aws:iam::${TEST_ACCOUNT_ID}:mfa/none` }))],
    ['DeactivateMFADevice', client.send(new DeactivateMFADeviceCommand({ SerialNumber: `arn:aws:iam::${TEST_ACCOUNT_ID}:mfa/none` }))],
    ['GetLoginProfile', client.send(new GetLoginProfileCommand({}))],
    ['CreateLoginProfile', client.send(new CreateLoginProfileCommand({ Password: 'Str0ng-Passw0rd!' }))],
    ['DeleteLoginProfile', client.send(new DeleteLoginProfileCommand({}))],
  ];
  const out = [];
  for (const [name, call] of calls) out.push({ name, failed: await failure(call) });
  return out;
}

describe('implicit targets', () => {
  test('a key-rotation role session cannot reach the root user through any operation without UserName', async () => {
    const root = iamClient(server.endpoint);
    const rootKeysBefore = await keyIds(root);
    const operatorKeysBefore = await keyIds(root, 'operator');
    const session = iamClient(server.endpoint, rotatorSession);

    for (const { name, failed } of await everyImplicitCall(session)) assert.deepEqual(failed, NON_USER, name);

    // Nothing changed: root's keys are those it had, its own key still works and is still root's.
    assert.deepEqual(await keyIds(root), rootKeysBefore);
    assert.deepEqual(rootKeysBefore, [[ROOT_KEY.accessKeyId, 'Active']]);
    assert.deepEqual(await keyIds(root, 'operator'), operatorKeysBefore);
    assert.equal((await stsClient(server.endpoint).send(new GetCallerIdentityCommand({}))).Arn, ACCOUNT_ROOT);
    assert.equal((await root.send(new GetUserCommand({}))).User?.Arn, ACCOUNT_ROOT);

    // The same role, naming a user, does rotate that user's keys: the role lacks no permission, only a target.
    const created = userKey((await session.send(new CreateAccessKeyCommand({ UserName: 'operator' }))).AccessKey);
    assert.equal((await keyIds(session, 'operator')).length, 2);
    await session.send(new DeleteAccessKeyCommand({ UserName: 'operator', AccessKeyId: created.accessKeyId }));
    assert.deepEqual(await keyIds(root, 'operator'), operatorKeysBefore);
  });

  test("a federated user is neither the root user nor the IAM user whose token it holds", async () => {
    const root = iamClient(server.endpoint);
    const rootKeysBefore = await keyIds(root);
    const operatorKeysBefore = await keyIds(root, 'operator');
    const fed = iamClient(server.endpoint, federated);

    for (const { name, failed } of await everyImplicitCall(fed)) assert.deepEqual(failed, NON_USER, name);

    assert.deepEqual(await keyIds(root), rootKeysBefore);
    assert.deepEqual(await keyIds(root, 'operator'), operatorKeysBefore);
    assert.equal((await stsClient(server.endpoint, operator).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${TEST_ACCOUNT_ID}:user/operator`);
  });

  test('an IAM user without UserName manages only its own keys; a role session it starts is not that user', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateUserCommand({ UserName: 'selfie' }));
    const own = allow(['iam:CreateAccessKey', 'iam:ListAccessKeys', 'iam:UpdateAccessKey', 'iam:DeleteAccessKey', 'iam:GetUser'], 'arn:aws:iam::*:user/${aws:username}');
    await root.send(new PutUserPolicyCommand({ UserName: 'selfie', PolicyName: 'own', PolicyDocument: own }));
    await root.send(new PutUserPolicyCommand({ UserName: 'selfie', PolicyName: 'assume', PolicyDocument: allow('sts:AssumeRole', '*') }));
    const first = userKey((await root.send(new CreateAccessKeyCommand({ UserName: 'selfie' }))).AccessKey);
    const selfie = iamClient(server.endpoint, first);

    assert.equal((await selfie.send(new GetUserCommand({}))).User?.UserName, 'selfie');
    const created = (await selfie.send(new CreateAccessKeyCommand({}))).AccessKey;
    assert.equal(created?.UserName, 'selfie');
    const second = userKey(created);
    assert.deepEqual(await keyIds(selfie), [[first.accessKeyId, 'Active'], [second.accessKeyId, 'Active']].sort());
    await selfie.send(new UpdateAccessKeyCommand({ AccessKeyId: second.accessKeyId, Status: 'Inactive' }));
    await selfie.send(new DeleteAccessKeyCommand({ AccessKeyId: second.accessKeyId }));

    // The root user's key is not among its own, and root's ARN is not its to act on.
    assert.deepEqual(await failure(selfie.send(new UpdateAccessKeyCommand({ AccessKeyId: ROOT_KEY.accessKeyId, Status: 'Inactive' }))), {
      name: 'NoSuchEntityException',
      message: `The Access Key with id ${ROOT_KEY.accessKeyId} cannot be found.`,
      status: 404,
    });
    assert.deepEqual(await failure(selfie.send(new ListAccessKeysCommand({ UserName: 'operator' }))), {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/selfie is not authorized to perform: iam:ListAccessKeys on resource: arn:aws:iam::${TEST_ACCOUNT_ID}:user/operator because no identity-based policy allows the iam:ListAccessKeys action`,
      status: 403,
    });

    // The key-rotation role assumed by this user acts for neither the user nor root when it names no one.
    const assumed = await stsClient(server.endpoint, first).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${TEST_ACCOUNT_ID}:role/key-rotator`, RoleSessionName: 'selfie' }));
    const session = iamClient(server.endpoint, keyOf(assumed.Credentials));
    assert.deepEqual(await failure(session.send(new ListAccessKeysCommand({}))), NON_USER);
    assert.deepEqual(await failure(session.send(new DeleteAccessKeyCommand({ AccessKeyId: first.accessKeyId }))), NON_USER);
    assert.deepEqual(await keyIds(root, 'selfie'), [[first.accessKeyId, 'Active']]);
    assert.deepEqual(await keyIds(root), [[ROOT_KEY.accessKeyId, 'Active']]);
  });

  test('the root user without UserName manages the root user\'s own keys, which only root reaches', async () => {
    const root = iamClient(server.endpoint);
    const created = (await root.send(new CreateAccessKeyCommand({}))).AccessKey;
    assert.equal(created?.UserName, undefined);
    const extra = userKey(created);
    assert.equal((await stsClient(server.endpoint, extra).send(new GetCallerIdentityCommand({}))).Arn, ACCOUNT_ROOT);
    assert.deepEqual(await keyIds(root), [[ROOT_KEY.accessKeyId, 'Active'], [extra.accessKeyId, 'Active']].sort());
    const session = iamClient(server.endpoint, rotatorSession);
    assert.deepEqual(await failure(session.send(new UpdateAccessKeyCommand({ AccessKeyId: extra.accessKeyId, Status: 'Inactive' }))), NON_USER);
    assert.deepEqual(await keyIds(root), [[ROOT_KEY.accessKeyId, 'Active'], [extra.accessKeyId, 'Active']].sort());
    await root.send(new UpdateAccessKeyCommand({ AccessKeyId: extra.accessKeyId, Status: 'Inactive' }));
    await root.send(new DeleteAccessKeyCommand({ AccessKeyId: extra.accessKeyId }));
    assert.deepEqual(await keyIds(root), [[ROOT_KEY.accessKeyId, 'Active']]);
  });
});

describe('AddRoleToInstanceProfile and iam:PassRole', () => {
  test('adding a role needs iam:PassRole on that role, besides the action on the profile', async () => {
    const root = iamClient(server.endpoint);
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    await root.send(new CreateRoleCommand({ RoleName: 'powerful', AssumeRolePolicyDocument: trust }));
    await root.send(new CreateRoleCommand({ RoleName: 'web', Path: '/apps/', AssumeRolePolicyDocument: trust }));
    await root.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'builder-profile' }));
    await root.send(new CreateUserCommand({ UserName: 'builder' }));
    await root.send(new PutUserPolicyCommand({ UserName: 'builder', PolicyName: 'profiles', PolicyDocument: allow('iam:AddRoleToInstanceProfile', '*') }));
    const builder = iamClient(server.endpoint, userKey((await root.send(new CreateAccessKeyCommand({ UserName: 'builder' }))).AccessKey));
    const roleArn = `arn:aws:iam::${TEST_ACCOUNT_ID}:role/powerful`;
    const denied = {
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/builder is not authorized to perform: iam:PassRole on resource: ${roleArn} because no identity-based policy allows the iam:PassRole action`,
      status: 403,
    };
    assert.deepEqual(await failure(builder.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'builder-profile', RoleName: 'powerful' }))), denied);

    // PassRole on another role is not PassRole on this one.
    const webArn = `arn:aws:iam::${TEST_ACCOUNT_ID}:role/apps/web`;
    await root.send(new PutUserPolicyCommand({ UserName: 'builder', PolicyName: 'pass', PolicyDocument: allow('iam:PassRole', webArn) }));
    assert.deepEqual(await failure(builder.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'builder-profile', RoleName: 'powerful' }))), denied);
    assert.deepEqual((await root.send(new GetInstanceProfileCommand({ InstanceProfileName: 'builder-profile' }))).InstanceProfile?.Roles, []);

    // The role's ARN carries its path; a PassRole grant limited to EC2 covers instance profiles.
    await root.send(new PutUserPolicyCommand({ UserName: 'builder', PolicyName: 'pass', PolicyDocument: allow('iam:PassRole', webArn, { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } }) }));
    await builder.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'builder-profile', RoleName: 'web' }));
    const roles = (await root.send(new GetInstanceProfileCommand({ InstanceProfileName: 'builder-profile' }))).InstanceProfile?.Roles;
    assert.deepEqual(roles?.map((r) => r.Arn), [webArn]);

    // Without the action on the profile, PassRole alone is not enough.
    await root.send(new DeleteUserPolicyCommand({ UserName: 'builder', PolicyName: 'profiles' }));
    await root.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'second-profile' }));
    assert.equal((await failure(builder.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'second-profile', RoleName: 'web' })))).name, 'AccessDenied');
  });
});

const AWS = '/usr/bin/aws';
const execAws = promisify(execFile);

test('AWS CLI v2: a role session creating an access key without --user-name gets ValidationError', { skip: existsSync(AWS) ? false : 'AWS CLI v2 is not installed' }, async () => {
  const env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/tmp',
    AWS_ACCESS_KEY_ID: rotatorSession.accessKeyId,
    AWS_SECRET_ACCESS_KEY: rotatorSession.secretAccessKey,
    AWS_SESSION_TOKEN: rotatorSession.sessionToken ?? '',
    AWS_DEFAULT_REGION: REGION,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
  };
  const result = await execAws(AWS, ['iam', 'create-access-key', '--endpoint-url', server.endpoint, '--output', 'json'], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
  assert.equal(result.code, 254, result.stdout);
  assert.match(result.stderr, /An error occurred \(ValidationError\) when calling the CreateAccessKey operation: Must specify userName when calling with non-User credentials/);
  assert.deepEqual(await keyIds(iamClient(server.endpoint)), [[ROOT_KEY.accessKeyId, 'Active']]);
});
