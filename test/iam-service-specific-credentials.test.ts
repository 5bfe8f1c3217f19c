// Service-specific credentials through the AWS SDK for JavaScript v3 against a real server: lifecycle, errors,
// quota, authorization (actions, resources, iam:ServiceSpecificCredentialServiceName) and role sessions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateServiceSpecificCredentialCommand,
  CreateUserCommand,
  DeleteServiceSpecificCredentialCommand,
  DeleteUserCommand,
  ListServiceSpecificCredentialsCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  ResetServiceSpecificCredentialCommand,
  UpdateServiceSpecificCredentialCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { failure, iamClient, keyOf, stsClient, type Key } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const server = useTestServer();
const A = TEST_ACCOUNT_ID;
const doc = (statement: unknown): string => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });

async function userWithKey(name: string, policy?: unknown): Promise<Key> {
  const root = iamClient(server.endpoint);
  await root.send(new CreateUserCommand({ UserName: name }));
  if (policy !== undefined) await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: doc(policy) }));
  const key = (await root.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
  assert.ok(key?.AccessKeyId !== undefined && key.SecretAccessKey !== undefined);
  return { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
}

describe('service-specific credentials', () => {
  test('create returns the password once; list, update, reset and delete; the user cannot go while one exists', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateUserCommand({ UserName: 'git-user' }));
    const created = (await root.send(new CreateServiceSpecificCredentialCommand({ UserName: 'git-user', ServiceName: 'codecommit.amazonaws.com' })))
      .ServiceSpecificCredential;
    assert.match(created?.ServiceSpecificCredentialId ?? '', /^ACCA[A-Z0-9]{17}$/);
    assert.equal(created?.ServiceUserName, `git-user-at-${A}`);
    assert.equal(created?.ServicePassword?.length, 44);
    assert.equal(created?.Status, 'Active');
    assert.equal(created?.ServiceName, 'codecommit.amazonaws.com');
    assert.ok(created?.CreateDate instanceof Date);
    const id = created?.ServiceSpecificCredentialId;

    const listed = await root.send(new ListServiceSpecificCredentialsCommand({ UserName: 'git-user' }));
    const metadata = listed.ServiceSpecificCredentials?.[0] as unknown as Record<string, unknown>;
    assert.deepEqual(Object.keys(metadata).sort(), ['CreateDate', 'ServiceName', 'ServiceSpecificCredentialId', 'ServiceUserName', 'Status', 'UserName']);

    await root.send(new UpdateServiceSpecificCredentialCommand({ UserName: 'git-user', ServiceSpecificCredentialId: id, Status: 'Inactive' }));
    assert.equal((await root.send(new ListServiceSpecificCredentialsCommand({ UserName: 'git-user' }))).ServiceSpecificCredentials?.[0]?.Status, 'Inactive');
    const reset = (await root.send(new ResetServiceSpecificCredentialCommand({ UserName: 'git-user', ServiceSpecificCredentialId: id }))).ServiceSpecificCredential;
    assert.equal(reset?.ServicePassword?.length, 44);
    assert.notEqual(reset?.ServicePassword, created?.ServicePassword);

    assert.deepEqual(await failure(root.send(new DeleteUserCommand({ UserName: 'git-user' }))), {
      name: 'DeleteConflictException',
      message: 'Cannot delete entity, must delete service specific credentials first.',
      status: 409,
    });
    await root.send(new DeleteServiceSpecificCredentialCommand({ UserName: 'git-user', ServiceSpecificCredentialId: id }));
    assert.deepEqual(await failure(root.send(new DeleteServiceSpecificCredentialCommand({ UserName: 'git-user', ServiceSpecificCredentialId: id }))), {
      name: 'NoSuchEntityException',
      message: `The Service Specific Credential with id ${id ?? ''} cannot be found.`,
      status: 404,
    });
    await root.send(new DeleteUserCommand({ UserName: 'git-user' }));
  });

  test('Bedrock API keys: alias, secret and expiry; unsupported services; the quota of two per service', async () => {
    const root = iamClient(server.endpoint);
    await root.send(new CreateUserCommand({ UserName: 'llm' }));
    const key = (await root.send(new CreateServiceSpecificCredentialCommand({ UserName: 'llm', ServiceName: 'bedrock.amazonaws.com', CredentialAgeDays: 1 })))
      .ServiceSpecificCredential;
    assert.match(key?.ServiceCredentialAlias ?? '', /^llm.*-at-111122223333$/);
    assert.match(key?.ServiceCredentialSecret ?? '', /^ABSK/);
    assert.equal(key?.ServicePassword, undefined);
    assert.ok(key?.ExpirationDate instanceof Date && key.CreateDate instanceof Date);
    assert.equal(key.ExpirationDate.getTime() - key.CreateDate.getTime(), 86_400_000);

    assert.deepEqual(await failure(root.send(new CreateServiceSpecificCredentialCommand({ UserName: 'llm', ServiceName: 'lambda.amazonaws.com' }))), {
      name: 'ServiceNotSupportedException',
      message: 'The specified service does not support service-specific credentials.',
      status: 404,
    });
    await root.send(new CreateServiceSpecificCredentialCommand({ UserName: 'llm', ServiceName: 'bedrock.amazonaws.com' }));
    assert.deepEqual(await failure(root.send(new CreateServiceSpecificCredentialCommand({ UserName: 'llm', ServiceName: 'bedrock.amazonaws.com' }))), {
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2',
      status: 409,
    });
    await root.send(new CreateServiceSpecificCredentialCommand({ UserName: 'llm', ServiceName: 'cassandra.amazonaws.com' }));
    const bedrock = await root.send(new ListServiceSpecificCredentialsCommand({ UserName: 'llm', ServiceName: 'bedrock.amazonaws.com' }));
    assert.equal(bedrock.ServiceSpecificCredentials?.length, 2);
    assert.ok(bedrock.ServiceSpecificCredentials?.every((c) => (c as unknown as Record<string, unknown>)['ServiceCredentialSecret'] === undefined));
    const all = await root.send(new ListServiceSpecificCredentialsCommand({ AllUsers: true, ServiceName: 'cassandra.amazonaws.com' }));
    assert.deepEqual(all.ServiceSpecificCredentials?.map((c) => c.UserName), ['llm']);
  });

  test('a user without permission is denied with the action and its user ARN; a grant limited by service name holds', async () => {
    const root = iamClient(server.endpoint);
    const plain = iamClient(server.endpoint, await userWithKey('nossc'));
    const arn = `arn:aws:iam::${A}:user/nossc`;
    for (const [action, call] of [
      ['ListServiceSpecificCredentials', plain.send(new ListServiceSpecificCredentialsCommand({}))],
      ['CreateServiceSpecificCredential', plain.send(new CreateServiceSpecificCredentialCommand({ UserName: 'nossc', ServiceName: 'codecommit.amazonaws.com' }))],
    ] as const) {
      assert.deepEqual(await failure(call), {
        name: 'AccessDenied',
        message: `User: ${arn} is not authorized to perform: iam:${action} on resource: ${arn} because no identity-based policy allows the iam:${action} action`,
        status: 403,
      });
    }

    // Only CodeCommit credentials of its own: Keyspaces is refused on create, and on delete by the stored service.
    const gitOnly = {
      Effect: 'Allow',
      Action: ['iam:CreateServiceSpecificCredential', 'iam:DeleteServiceSpecificCredential'],
      Resource: 'arn:aws:iam::*:user/${aws:username}',
      Condition: { StringEquals: { 'iam:ServiceSpecificCredentialServiceName': 'codecommit.amazonaws.com' } },
    };
    const dev = iamClient(server.endpoint, await userWithKey('gitdev', gitOnly));
    const own = (await dev.send(new CreateServiceSpecificCredentialCommand({ UserName: 'gitdev', ServiceName: 'codecommit.amazonaws.com' }))).ServiceSpecificCredential;
    const denied = await failure(dev.send(new CreateServiceSpecificCredentialCommand({ UserName: 'gitdev', ServiceName: 'cassandra.amazonaws.com' })));
    assert.equal(denied.name, 'AccessDenied');
    assert.match(denied.message, /iam:CreateServiceSpecificCredential on resource: arn:aws:iam::111122223333:user\/gitdev/);
    const keyspaces = (await root.send(new CreateServiceSpecificCredentialCommand({ UserName: 'gitdev', ServiceName: 'cassandra.amazonaws.com' }))).ServiceSpecificCredential;
    assert.equal((await failure(dev.send(new DeleteServiceSpecificCredentialCommand({ ServiceSpecificCredentialId: keyspaces?.ServiceSpecificCredentialId })))).name, 'AccessDenied');
    await dev.send(new DeleteServiceSpecificCredentialCommand({ ServiceSpecificCredentialId: own?.ServiceSpecificCredentialId }));
  });

  test('a role session must name the user; AllUsers needs a grant on every user', async () => {
    const root = iamClient(server.endpoint);
    const operator = await userWithKey('ssc-operator', { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' });
    const trust = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' });
    await root.send(new CreateRoleCommand({ RoleName: 'ssc-admin', AssumeRolePolicyDocument: trust }));
    await root.send(new PutRolePolicyCommand({ RoleName: 'ssc-admin', PolicyName: 'ssc', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:*ServiceSpecificCredential*', Resource: `arn:aws:iam::${A}:user/ssc-*` }) }));
    const assumed = await stsClient(server.endpoint, operator).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/ssc-admin`, RoleSessionName: 'ssc-session' }));
    const session = iamClient(server.endpoint, keyOf(assumed.Credentials));
    const nonUser = { name: 'ValidationError', message: 'Must specify userName when calling with non-User credentials', status: 400 };
    assert.deepEqual(await failure(session.send(new ListServiceSpecificCredentialsCommand({}))), nonUser);
    assert.deepEqual(await failure(session.send(new DeleteServiceSpecificCredentialCommand({ ServiceSpecificCredentialId: 'ACCAAAAAAAAAAAAAAAAAA' }))), nonUser);
    await session.send(new CreateServiceSpecificCredentialCommand({ UserName: 'ssc-operator', ServiceName: 'codecommit.amazonaws.com' }));
    assert.equal((await session.send(new ListServiceSpecificCredentialsCommand({ UserName: 'ssc-operator' }))).ServiceSpecificCredentials?.length, 1);
    const all = await failure(session.send(new ListServiceSpecificCredentialsCommand({ AllUsers: true })));
    assert.equal(all.name, 'AccessDenied');
    assert.match(all.message, /iam:ListServiceSpecificCredentials on resource: arn:aws:iam::111122223333:user\/ because/);
  });
});
