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
