// Identity bindings that must not drift: a permissions boundary is the policy it named (whatever the ARN's case),
// and temporary credentials belong to the role or user that existed when they were issued, not to a namesake
// created later. Through the AWS SDK for JavaScript v3 against a real server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DeleteUserPermissionsBoundaryCommand,
  DeleteUserPolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  ListRolesCommand,
  ListUsersCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { failure, iamClient, keyOf, stsClient, type Key } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const A = TEST_ACCOUNT_ID;
const doc = (statement: object | object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statement });
const TRUST_ACCOUNT = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' });

const server = useTestServer();
const root = () => iamClient(server.endpoint);

async function userWithKey(name: string, statement: object | object[]): Promise<Key> {
  await root().send(new CreateUserCommand({ UserName: name }));
  await root().send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'own', PolicyDocument: doc(statement) }));
  const key = await root().send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: key.AccessKey?.AccessKeyId ?? '', secretAccessKey: key.AccessKey?.SecretAccessKey ?? '' };
}

/** Deletes a user that has one inline policy `own` and the given access key, as AWS requires: children first. */
async function deleteUser(name: string, key: Key): Promise<void> {
  await root().send(new DeleteAccessKeyCommand({ UserName: name, AccessKeyId: key.accessKeyId }));
  await root().send(new DeleteUserPolicyCommand({ UserName: name, PolicyName: 'own' }));
  await root().send(new DeleteUserCommand({ UserName: name }));
}

describe('permissions boundary named by a case variant of its ARN', () => {
  test('is stored as the policy itself: canonical ARN shown and counted, DeleteConflict on delete, still limits', async () => {
    const created = await root().send(new CreatePolicyCommand({ PolicyName: 'Boundary', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }) }));
    const canonical = created.Policy?.Arn ?? '';
    assert.equal(canonical, `arn:aws:iam::${A}:policy/Boundary`);
    const variant = `arn:aws:iam::${A}:policy/BOUNDARY`;

    const bounded = await userWithKey('bounded', { Effect: 'Allow', Action: 'iam:*', Resource: '*' });
    await root().send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded', PermissionsBoundary: variant }));
    await root().send(new CreateRoleCommand({ RoleName: 'bounded-role', AssumeRolePolicyDocument: TRUST_ACCOUNT, PermissionsBoundary: `arn:aws:iam::${A}:policy/boundary` }));
    await root().send(new CreateUserCommand({ UserName: 'bounded-at-birth', PermissionsBoundary: variant }));

    const user = await root().send(new GetUserCommand({ UserName: 'bounded' }));
    assert.deepEqual(user.User?.PermissionsBoundary, { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: canonical });
    const born = await root().send(new GetUserCommand({ UserName: 'bounded-at-birth' }));
    assert.equal(born.User?.PermissionsBoundary?.PermissionsBoundaryArn, canonical);
    const role = await root().send(new GetRoleCommand({ RoleName: 'bounded-role' }));
    assert.equal(role.Role?.PermissionsBoundary?.PermissionsBoundaryArn, canonical);
    assert.equal((await root().send(new GetPolicyCommand({ PolicyArn: canonical }))).Policy?.PermissionsBoundaryUsageCount, 3);

    assert.deepEqual(await failure(root().send(new DeletePolicyCommand({ PolicyArn: canonical }))), {
      name: 'DeleteConflictException',
      message: 'Cannot delete a policy attached to entities.',
      status: 409,
    });

    const iam = iamClient(server.endpoint, bounded);
    await iam.send(new ListUsersCommand({}));
    const denied = await failure(iam.send(new ListRolesCommand({})));
    assert.equal(denied.name, 'AccessDenied');
    assert.match(denied.message, / because no permissions boundary allows the iam:ListRoles action$/);
  });

  test('a boundary policy that does not exist: NoSuchEntity, for users and roles alike', async () => {
    await root().send(new CreateUserCommand({ UserName: 'nobound' }));
    const missing = `arn:aws:iam::${A}:policy/NoSuchBoundary`;
    assert.deepEqual(await failure(root().send(new PutUserPermissionsBoundaryCommand({ UserName: 'nobound', PermissionsBoundary: missing }))), {
      name: 'NoSuchEntityException',
      message: `Policy ${missing} does not exist or is not attachable.`,
      status: 404,
    });
    await root().send(new CreateRoleCommand({ RoleName: 'nobound-role', AssumeRolePolicyDocument: TRUST_ACCOUNT }));
    const onRole = await failure(root().send(new PutRolePermissionsBoundaryCommand({ RoleName: 'nobound-role', PermissionsBoundary: missing })));
    assert.equal(onRole.name, 'NoSuchEntityException');
    await root().send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'nobound' }));
  });
});

describe('credentials of a deleted principal do not pass to a namesake', () => {
  test('a role session: once the role is deleted and recreated with more permissions, the old session is denied', async () => {
    const assumer = await userWithKey('assumer', { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' });
    const sts = stsClient(server.endpoint, assumer);
    const arn = `arn:aws:iam::${A}:role/worker`;
    await root().send(new CreateRoleCommand({ RoleName: 'worker', AssumeRolePolicyDocument: TRUST_ACCOUNT }));
    await root().send(new PutRolePolicyCommand({ RoleName: 'worker', PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }) }));
    const oldKey = keyOf((await sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'old' }))).Credentials);
    const old = iamClient(server.endpoint, oldKey);
    await old.send(new ListUsersCommand({}));

    await root().send(new DeleteRolePolicyCommand({ RoleName: 'worker', PolicyName: 'p' }));
    await root().send(new DeleteRoleCommand({ RoleName: 'worker' }));
    await root().send(new CreateRoleCommand({ RoleName: 'worker', AssumeRolePolicyDocument: TRUST_ACCOUNT }));
    await root().send(new PutRolePolicyCommand({ RoleName: 'worker', PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: ['iam:ListUsers', 'iam:ListRoles'], Resource: '*' }) }));

    for (const call of [old.send(new ListUsersCommand({})), old.send(new ListRolesCommand({}))]) {
      const denied = await failure(call);
      assert.equal(denied.name, 'AccessDenied');
      assert.equal(denied.status, 403);
      assert.match(denied.message, /^User: arn:aws:sts::111122223333:assumed-role\/worker\/old is not authorized to perform: iam:List(Users|Roles) on resource: /);
    }
    const freshKey = keyOf((await sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'new' }))).Credentials);
    const fresh = iamClient(server.endpoint, freshKey);
    await fresh.send(new ListUsersCommand({}));
    await fresh.send(new ListRolesCommand({}));

    // A trust policy naming the role by ARN lets the new role's sessions in, not the old one's.
    const next = `arn:aws:iam::${A}:role/next`;
    await root().send(new CreateRoleCommand({ RoleName: 'next', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: arn }, Action: 'sts:AssumeRole' }) }));
    const chained = await failure(stsClient(server.endpoint, oldKey).send(new AssumeRoleCommand({ RoleArn: next, RoleSessionName: 'old' })));
    assert.equal(chained.name, 'AccessDenied');
    await stsClient(server.endpoint, freshKey).send(new AssumeRoleCommand({ RoleArn: next, RoleSessionName: 'new' }));
  });

  test('a GetSessionToken session: once its user is deleted and recreated, the old session is denied', async () => {
    await root().send(new CreateRoleCommand({ RoleName: 'target', AssumeRolePolicyDocument: TRUST_ACCOUNT }));
    const target = `arn:aws:iam::${A}:role/target`;
    // The first carol may not assume roles; the second may: the first carol's session must not gain that.
    const first = await userWithKey('carol', { Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' });
    const session = keyOf((await stsClient(server.endpoint, first).send(new GetSessionTokenCommand({}))).Credentials);
    assert.equal((await failure(stsClient(server.endpoint, session).send(new AssumeRoleCommand({ RoleArn: target, RoleSessionName: 'carol' })))).name, 'AccessDenied');
    await deleteUser('carol', first);
    const second = await userWithKey('carol', { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' });

    const denied = await failure(stsClient(server.endpoint, session).send(new AssumeRoleCommand({ RoleArn: target, RoleSessionName: 'carol' })));
    assert.equal(denied.name, 'AccessDenied');
    assert.equal(denied.status, 403);
    const fresh = keyOf((await stsClient(server.endpoint, second).send(new GetSessionTokenCommand({}))).Credentials);
    await stsClient(server.endpoint, fresh).send(new AssumeRoleCommand({ RoleArn: target, RoleSessionName: 'carol' }));
  });

  test('a user with access keys cannot be deleted, so a namesake cannot inherit them', async () => {
    const key = await userWithKey('dave', { Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' });
    await root().send(new DeleteUserPolicyCommand({ UserName: 'dave', PolicyName: 'own' }));
    assert.deepEqual(await failure(root().send(new DeleteUserCommand({ UserName: 'dave' }))), {
      name: 'DeleteConflictException',
      message: 'Cannot delete entity, must delete access keys first.',
      status: 409,
    });
    await root().send(new DeleteAccessKeyCommand({ UserName: 'dave', AccessKeyId: key.accessKeyId }));
    await root().send(new DeleteUserCommand({ UserName: 'dave' }));
    await root().send(new CreateUserCommand({ UserName: 'dave' }));
    await root().send(new PutUserPolicyCommand({ UserName: 'dave', PolicyName: 'own', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:*', Resource: '*' }) }));
    assert.equal((await failure(iamClient(server.endpoint, key).send(new ListUsersCommand({})))).name, 'InvalidClientTokenId');
  });
});
