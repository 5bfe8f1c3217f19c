// Principals in trust policies, as IAM keeps them: a user or role ARN must name an existing entity and is bound to
// that entity's unique ID, so deleting it and creating another of the same name does not inherit the trust.
import {
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  GetAccountAuthorizationDetailsCommand,
  GetRoleCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateUserCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failure, iamClient, keyOf, stsClient, type Key } from './helpers/clients.js';
import { TEST_ACCOUNT_ID as A, useTestServer } from './helpers/server.js';

process.env['AWS_DEFAULT_REGION'] = 'us-east-1';

const server = useTestServer();
const root = (): IAMClient => iamClient(server.endpoint);

const doc = (...statements: unknown[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const trusting = (...principals: string[]): string =>
  doc({ Effect: 'Allow', Principal: { AWS: principals.length === 1 ? principals[0] : principals }, Action: 'sts:AssumeRole' });
const userArn = (name: string, path = '/'): string => `arn:aws:iam::${A}:user${path}${name}`;
const roleArn = (name: string): string => `arn:aws:iam::${A}:role/${name}`;
const ASSUME_ANY = doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' });

/** A user allowed to call sts:AssumeRole on any role, with an access key. */
async function userWithKey(name: string): Promise<{ key: Key; id: string }> {
  const user = await root().send(new CreateUserCommand({ UserName: name }));
  await root().send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'assume', PolicyDocument: ASSUME_ANY }));
  const key = (await root().send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
  return { key: { accessKeyId: key?.AccessKeyId ?? '', secretAccessKey: key?.SecretAccessKey ?? '' }, id: user.User?.UserId ?? '' };
}

async function deleteUserWithKey(name: string, key: Key): Promise<void> {
  await root().send(new DeleteAccessKeyCommand({ UserName: name, AccessKeyId: key.accessKeyId }));
  await root().send(new DeleteUserPolicyCommand({ UserName: name, PolicyName: 'assume' }));
  await root().send(new DeleteUserCommand({ UserName: name }));
}

async function trustOf(name: string): Promise<unknown> {
  const role = (await root().send(new GetRoleCommand({ RoleName: name }))).Role;
  return JSON.parse(decodeURIComponent(role?.AssumeRolePolicyDocument ?? ''));
}

const principalsOf = (trust: unknown): unknown => (trust as { Statement: Array<{ Principal: { AWS: unknown } }> }).Statement[0]?.Principal.AWS;

test('a trust policy naming a principal that is not an existing user or role is refused with IAM text', async () => {
  await root().send(new CreateGroupCommand({ GroupName: 'devs' }));
  await root().send(new CreateUserCommand({ UserName: 'pathed', Path: '/eng/' }));
  const invalid = [
    userArn('nobody'),
    roleArn('no-such-role'),
    `arn:aws:iam::${A}:group/devs`,
    `arn:aws:sts::${A}:role/x`,
    `arn:aws:iam::${A}:policy/p`,
    `arn:aws:s3:::bucket`,
    userArn('pathed', '/other/'),
  ];
  for (const value of invalid) {
    for (const send of [
      () => root().send(new CreateRoleCommand({ RoleName: 'refused', AssumeRolePolicyDocument: trusting(`arn:aws:iam::${A}:root`, value) })),
      async () => {
        await root().send(new CreateRoleCommand({ RoleName: 'target', AssumeRolePolicyDocument: trusting(A) }));
        try {
          await root().send(new UpdateAssumeRolePolicyCommand({ RoleName: 'target', PolicyDocument: trusting(value) }));
        } finally {
          await root().send(new DeleteRoleCommand({ RoleName: 'target' }));
        }
      },
    ]) {
      const error = await failure(send());
      assert.deepEqual(
        { name: error.name, status: error.status, message: error.message },
        { name: 'MalformedPolicyDocumentException', status: 400, message: `Invalid principal in policy: "AWS":"${value}"` },
        value,
      );
    }
  }
  assert.equal((await failure(root().send(new GetRoleCommand({ RoleName: 'refused' })))).name, 'NoSuchEntityException');
});

test('accounts, roots, sessions, federated users, other accounts and services are stored as written', async () => {
  const principals = [
    A,
    `arn:aws:iam::${A}:root`,
    `arn:aws:sts::${A}:assumed-role/some-role/some-session`,
    `arn:aws:sts::${A}:federated-user/fed`,
    'arn:aws:iam::444455556666:user/elsewhere',
    'arn:aws:iam::444455556666:role/team/elsewhere',
  ];
  const trust = doc({ Effect: 'Allow', Principal: { AWS: principals, Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
  await root().send(new CreateRoleCommand({ RoleName: 'as-written', AssumeRolePolicyDocument: trust }));
  const role = (await root().send(new GetRoleCommand({ RoleName: 'as-written' }))).Role;
  assert.equal(decodeURIComponent(role?.AssumeRolePolicyDocument ?? ''), trust);
});

test('a recreated user is not let in by the trust policy that named the user it replaced', async () => {
  const first = await userWithKey('alice');
  await root().send(new CreateRoleCommand({ RoleName: 'alice-role', AssumeRolePolicyDocument: trusting(userArn('alice')) }));
  await stsClient(server.endpoint, first.key).send(new AssumeRoleCommand({ RoleArn: roleArn('alice-role'), RoleSessionName: 'session' }));
  assert.deepEqual(principalsOf(await trustOf('alice-role')), userArn('alice'));

  await deleteUserWithKey('alice', first.key);
  assert.deepEqual(principalsOf(await trustOf('alice-role')), first.id);
  const second = await userWithKey('alice');
  assert.notEqual(second.id, first.id);
  const denied = await failure(stsClient(server.endpoint, second.key).send(new AssumeRoleCommand({ RoleArn: roleArn('alice-role'), RoleSessionName: 'session' })));
  assert.deepEqual({ name: denied.name, status: denied.status }, { name: 'AccessDenied', status: 403 });
  // The old ID stays where the deleted user stood, in every listing of the role.
  assert.deepEqual(principalsOf(await trustOf('alice-role')), first.id);
  const listed = (await root().send(new ListRolesCommand({}))).Roles?.find((r) => r.RoleName === 'alice-role');
  assert.deepEqual(principalsOf(JSON.parse(decodeURIComponent(listed?.AssumeRolePolicyDocument ?? ''))), first.id);
  const details = await root().send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'] }));
  const detail = details.RoleDetailList?.find((r) => r.RoleName === 'alice-role');
  assert.deepEqual(principalsOf(JSON.parse(decodeURIComponent(detail?.AssumeRolePolicyDocument ?? ''))), first.id);

  // Saving the trust policy again binds the ARN to the new user.
  await root().send(new UpdateAssumeRolePolicyCommand({ RoleName: 'alice-role', PolicyDocument: trusting(userArn('alice')) }));
  await stsClient(server.endpoint, second.key).send(new AssumeRoleCommand({ RoleArn: roleArn('alice-role'), RoleSessionName: 'session' }));
  assert.deepEqual(principalsOf(await trustOf('alice-role')), userArn('alice'));
  await deleteUserWithKey('alice', second.key);
});

test('a recreated role is not let in by the trust policy of another role that named the role it replaced', async () => {
  // Not the account root: that would leave the decision to the new role's own policies.
  const OTHER_SESSION = `arn:aws:sts::${A}:assumed-role/other/session`;
  const caller = await userWithKey('chainer');
  await root().send(new CreateRoleCommand({ RoleName: 'first-hop', AssumeRolePolicyDocument: trusting(userArn('chainer')) }));
  await root().send(new PutRolePolicyCommand({ RoleName: 'first-hop', PolicyName: 'assume', PolicyDocument: ASSUME_ANY }));
  const hopId = (await root().send(new GetRoleCommand({ RoleName: 'first-hop' }))).Role?.RoleId ?? '';
  await root().send(new CreateRoleCommand({ RoleName: 'second-hop', AssumeRolePolicyDocument: trusting(roleArn('first-hop'), OTHER_SESSION) }));
  const hop = async (): Promise<Key> =>
    keyOf((await stsClient(server.endpoint, caller.key).send(new AssumeRoleCommand({ RoleArn: roleArn('first-hop'), RoleSessionName: 'hop' }))).Credentials);
  await stsClient(server.endpoint, await hop()).send(new AssumeRoleCommand({ RoleArn: roleArn('second-hop'), RoleSessionName: 'chained' }));

  await root().send(new DeleteRolePolicyCommand({ RoleName: 'first-hop', PolicyName: 'assume' }));
  await root().send(new DeleteRoleCommand({ RoleName: 'first-hop' }));
  await root().send(new CreateRoleCommand({ RoleName: 'first-hop', AssumeRolePolicyDocument: trusting(userArn('chainer')) }));
  await root().send(new PutRolePolicyCommand({ RoleName: 'first-hop', PolicyName: 'assume', PolicyDocument: ASSUME_ANY }));
  const denied = await failure(stsClient(server.endpoint, await hop()).send(new AssumeRoleCommand({ RoleArn: roleArn('second-hop'), RoleSessionName: 'chained' })));
  assert.deepEqual({ name: denied.name, status: denied.status }, { name: 'AccessDenied', status: 403 });
  assert.deepEqual(principalsOf(await trustOf('second-hop')), [hopId, OTHER_SESSION]);
});

test('a bound principal renders as its current ARN, and a unique ID of an existing user as that user', async () => {
  const user = await userWithKey('renamed');
  await root().send(new CreateRoleCommand({ RoleName: 'by-id', AssumeRolePolicyDocument: trusting(user.id) }));
  await root().send(new CreateRoleCommand({ RoleName: 'by-arn', AssumeRolePolicyDocument: trusting(userArn('renamed')) }));
  assert.deepEqual(principalsOf(await trustOf('by-id')), userArn('renamed'));
  // Renaming keeps the unique ID, so the trust follows the user under its new name and path.
  await root().send(new UpdateUserCommand({ UserName: 'renamed', NewUserName: 'new-name', NewPath: '/moved/' }));
  assert.deepEqual(principalsOf(await trustOf('by-arn')), userArn('new-name', '/moved/'));
  const sts = stsClient(server.endpoint, user.key);
  await sts.send(new AssumeRoleCommand({ RoleArn: roleArn('by-arn'), RoleSessionName: 'session' }));
  await sts.send(new AssumeRoleCommand({ RoleArn: roleArn('by-id'), RoleSessionName: 'session' }));
});
