// The condition keys the server fills in for IAM and STS requests (resource and request tags, the user agent, the
// Region, session tags), role last-used bookkeeping and the response shapes that go with them, through the AWS SDK
// for JavaScript v3 against a real server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DeleteUserCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  IAMClient,
  ListRolesCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { failure, iamClient, keyOf, stsClient, type Key } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const A = TEST_ACCOUNT_ID;
const doc = (statement: object | object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statement });
const TRUST = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession'] });
const denied = (action: string, resource: string): { name: string; message: string; status: number } => ({
  name: 'AccessDenied',
  message: `User: arn:aws:iam::${A}:user/admin is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in an identity-based policy`,
  status: 403,
});

let admin: Key;

const server = useTestServer({}, {}, async () => {
  const root = iamClient(server.endpoint);
  await root.send(new CreateUserCommand({ UserName: 'admin' }));
  await root.send(new PutUserPolicyCommand({
    UserName: 'admin',
    PolicyName: 'abac',
    PolicyDocument: doc([
      { Effect: 'Allow', Action: ['iam:*', 'sts:*'], Resource: '*' },
      { Effect: 'Deny', Action: ['iam:DeleteUser', 'iam:DeleteRole', 'iam:DeletePolicy'], Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/protected': 'true' } } },
      { Effect: 'Deny', Action: 'iam:UpdateRole', Resource: '*', Condition: { StringEquals: { 'iam:ResourceTag/protected': 'true' } } },
      { Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/env': 'prod' } } },
      { Effect: 'Deny', Action: ['iam:TagRole', 'iam:UntagRole'], Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'protected' } } },
      { Effect: 'Deny', Action: 'iam:TagRole', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'blue' } } },
      { Effect: 'Deny', Action: 'iam:ListUsers', Resource: '*', Condition: { StringLike: { 'aws:UserAgent': '*forbidden-agent*' } } },
      { Effect: 'Deny', Action: 'iam:GetUser', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } } },
      { Effect: 'Deny', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${A}:role/eu-only`, Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } } },
    ]),
  }));
  const key = await root.send(new CreateAccessKeyCommand({ UserName: 'admin' }));
  admin = { accessKeyId: key.AccessKey?.AccessKeyId ?? '', secretAccessKey: key.AccessKey?.SecretAccessKey ?? '' };
});

describe('aws:ResourceTag and iam:ResourceTag on existing IAM resources', () => {
  test('a Deny on a tagged user, role or policy holds; the same actions on untagged ones are allowed', async () => {
    const root = iamClient(server.endpoint);
    const iam = iamClient(server.endpoint, admin);
    await root.send(new CreateUserCommand({ UserName: 'kept', Tags: [{ Key: 'protected', Value: 'true' }] }));
    await root.send(new CreateUserCommand({ UserName: 'spare' }));
    await root.send(new CreateRoleCommand({ RoleName: 'kept-role', Path: '/ops/', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'Protected', Value: 'true' }] }));
    await root.send(new CreateRoleCommand({ RoleName: 'spare-role', AssumeRolePolicyDocument: TRUST }));
    const policy = await root.send(new CreatePolicyCommand({ PolicyName: 'kept-policy', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }), Tags: [{ Key: 'protected', Value: 'true' }] }));

    assert.deepEqual(await failure(iam.send(new DeleteUserCommand({ UserName: 'kept' }))), denied('iam:DeleteUser', `arn:aws:iam::${A}:user/kept`));
    // The key is matched without case, as AWS matches tag keys in conditions.
    assert.deepEqual(await failure(iam.send(new DeleteRoleCommand({ RoleName: 'kept-role' }))), denied('iam:DeleteRole', `arn:aws:iam::${A}:role/ops/kept-role`));
    assert.deepEqual(
      await failure(iam.send(new UpdateRoleCommand({ RoleName: 'kept-role', Description: 'x' }))),
      denied('iam:UpdateRole', `arn:aws:iam::${A}:role/ops/kept-role`),
    );
    assert.deepEqual(
      await failure(iam.send(new DeletePolicyCommand({ PolicyArn: policy.Policy?.Arn }))),
      denied('iam:DeletePolicy', `policy arn:aws:iam::${A}:policy/kept-policy`),
    );
    await iam.send(new DeleteUserCommand({ UserName: 'spare' }));
    await iam.send(new UpdateRoleCommand({ RoleName: 'spare-role', Description: 'x' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'spare-role' }));
  });
});

describe('aws:RequestTag and aws:TagKeys', () => {
  test('CreateUser with a denied request tag is refused; with another value it is not', async () => {
    const iam = iamClient(server.endpoint, admin);
    assert.deepEqual(
      await failure(iam.send(new CreateUserCommand({ UserName: 'prod-user', Tags: [{ Key: 'env', Value: 'prod' }] }))),
      denied('iam:CreateUser', `arn:aws:iam::${A}:user/prod-user`),
    );
    await iam.send(new CreateUserCommand({ UserName: 'dev-user', Tags: [{ Key: 'env', Value: 'dev' }] }));
  });

  test('TagRole is refused on a denied key or value; UntagRole is refused by its keys alone', async () => {
    const root = iamClient(server.endpoint);
    const iam = iamClient(server.endpoint, admin);
    await root.send(new CreateRoleCommand({ RoleName: 'tagged', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'protected', Value: 'no' }, { Key: 'team', Value: 'red' }] }));
    const arn = `arn:aws:iam::${A}:role/tagged`;
    assert.deepEqual(await failure(iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: [{ Key: 'protected', Value: 'yes' }] }))), denied('iam:TagRole', arn));
    assert.deepEqual(await failure(iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: [{ Key: 'team', Value: 'blue' }] }))), denied('iam:TagRole', arn));
    await iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: [{ Key: 'team', Value: 'green' }] }));
    assert.deepEqual(await failure(iam.send(new UntagRoleCommand({ RoleName: 'tagged', TagKeys: ['team', 'protected'] }))), denied('iam:UntagRole', arn));
    await iam.send(new UntagRoleCommand({ RoleName: 'tagged', TagKeys: ['team'] }));
  });
});

describe('keys of the request itself', () => {
  test('aws:UserAgent is the User-Agent header', async () => {
    const plain = iamClient(server.endpoint, admin);
    await plain.send(new ListUsersCommand({}));
    const odd = new IAMClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: admin, maxAttempts: 1, customUserAgent: 'forbidden-agent/1.0' });
    assert.deepEqual(await failure(odd.send(new ListUsersCommand({}))), denied('iam:ListUsers', `arn:aws:iam::${A}:user/`));
  });

  test('an IAM request signed for eu-west-1 is evaluated in us-east-1; an STS one keeps its Region', async () => {
    const iam = new IAMClient({ endpoint: server.endpoint, region: 'eu-west-1', credentials: admin, maxAttempts: 1 });
    const user = await iam.send(new GetUserCommand({ UserName: 'admin' }));
    assert.equal(user.User?.UserName, 'admin');
    const europe = new STSClient({ endpoint: server.endpoint, region: 'eu-west-1', credentials: admin, maxAttempts: 1 });
    await iamClient(server.endpoint).send(new CreateRoleCommand({ RoleName: 'eu-only', AssumeRolePolicyDocument: TRUST }));
    const assume = new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/eu-only`, RoleSessionName: 'europe' });
    assert.ok((await europe.send(assume)).Credentials?.SessionToken);
    const denial = await failure(stsClient(server.endpoint, admin).send(assume));
    assert.equal(denial.name, 'AccessDenied');
  });
});

describe('session tags', () => {
  test("a session tag overrides the role's own tag of the same key, whatever its case", async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateRoleCommand({ RoleName: 'dept-role', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'Dept', Value: 'eng' }] }));
    await root.send(new PutRolePolicyCommand({
      RoleName: 'dept-role',
      PolicyName: 'by-dept',
      PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/dept': 'sales' } } }),
    }));
    const sts = stsClient(server.endpoint, admin);
    const roleArn = `arn:aws:iam::${A}:role/dept-role`;
    const untagged = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'plain' }));
    assert.equal((await failure(iamClient(server.endpoint, keyOf(untagged.Credentials)).send(new ListRolesCommand({})))).name, 'AccessDenied');
    const tagged = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'sales', Tags: [{ Key: 'dept', Value: 'sales' }] }));
    const roles = await iamClient(server.endpoint, keyOf(tagged.Credentials)).send(new ListRolesCommand({}));
    assert.ok((roles.Roles ?? []).some((r) => r.RoleName === 'dept-role'));
  });
});

describe('RoleLastUsed', () => {
  test("a request with a role's session is recorded as the role's last use, with the Region it was made in", async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateRoleCommand({ RoleName: 'used-role', AssumeRolePolicyDocument: TRUST }));
    await root.send(new PutRolePolicyCommand({ RoleName: 'used-role', PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }) }));
    assert.deepEqual((await root.send(new GetRoleCommand({ RoleName: 'used-role' }))).Role?.RoleLastUsed, {});
    const session = await stsClient(server.endpoint, admin).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/used-role`, RoleSessionName: 'used' }));
    const before = Date.now() - 1000;
    const europe = new STSClient({ endpoint: server.endpoint, region: 'eu-west-1', credentials: keyOf(session.Credentials), maxAttempts: 1 });
    await europe.send(new GetCallerIdentityCommand({}));
    let lastUsed: { LastUsedDate?: Date; Region?: string } | undefined;
    for (let i = 0; i < 50 && lastUsed?.LastUsedDate === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      lastUsed = (await root.send(new GetRoleCommand({ RoleName: 'used-role' }))).Role?.RoleLastUsed;
    }
    assert.equal(lastUsed?.Region, 'eu-west-1');
    assert.ok((lastUsed?.LastUsedDate?.getTime() ?? 0) >= before);
  });
});

describe('response shapes', () => {
  test('CreateRole answers neither MaxSessionDuration nor RoleLastUsed; GetRole does', async () => {
    const root = iamClient(server.endpoint);
    const created = await root.send(new CreateRoleCommand({ RoleName: 'shape', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 7200 }));
    assert.equal(created.Role?.MaxSessionDuration, undefined);
    assert.equal(created.Role?.RoleLastUsed, undefined);
    const got = await root.send(new GetRoleCommand({ RoleName: 'shape' }));
    assert.equal(got.Role?.MaxSessionDuration, 7200);
    assert.deepEqual(got.Role?.RoleLastUsed, {});
  });

  test('GetPolicy answers an empty Tags list for a policy without tags', async () => {
    const root = iamClient(server.endpoint);
    const created = await root.send(new CreatePolicyCommand({ PolicyName: 'untagged', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }) }));
    assert.deepEqual((await root.send(new GetPolicyCommand({ PolicyArn: created.Policy?.Arn }))).Policy?.Tags, []);
  });
});
