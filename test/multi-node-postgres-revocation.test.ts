// Revocation across nodes, with no waiting: a change node A acknowledged is in force for the very next request node B
// answers, even when B holds the revoked key or the allowing policies in its caches and is busy with other clients.
// Driven by the AWS SDK for JavaScript v3 against two real servers sharing one PostgreSQL database.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand, DeleteAccessKeyCommand, ListUsersCommand, PutUserPolicyCommand, TagUserCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { CreateAccountCommand, CreateOrganizationCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { failure, iamClient, keyOf, organizationsClient, stsClient, type Key } from './helpers/clients.js';
import { usePostgresNodes } from './helpers/postgres-nodes.js';

const ROUNDS = 20;
const doc = (statement: object): string => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
const nodes = usePostgresNodes(2);
const endpoint = (index: 0 | 1): string => nodes.node(index).endpoint;

/** Other clients keeping node B busy while the test's own requests go to it, until `stop` is called. */
function hammer(key: Key): () => Promise<void> {
  let running = true;
  const client = stsClient(endpoint(1), key);
  const loops = Array.from({ length: 4 }, async () => {
    while (running) await client.send(new GetCallerIdentityCommand({}));
  });
  return async () => {
    running = false;
    await Promise.all(loops);
  };
}

async function userWithKey(name: string, policy?: string): Promise<Key> {
  const root = iamClient(endpoint(0));
  await root.send(new CreateUserCommand({ UserName: name }));
  if (policy !== undefined) await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'allow', PolicyDocument: policy }));
  const key = (await root.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
  return { accessKeyId: key?.AccessKeyId ?? '', secretAccessKey: key?.SecretAccessKey ?? '' };
}

describe('revocation on node A holds for node B’s next request', () => {
  test('an access key deleted or deactivated on A is refused by B at once, though B has it cached', async () => {
    const stop = hammer(await userWithKey('busy'));
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const key = await userWithKey(`revoked-${round}`);
        const onB = stsClient(endpoint(1), key);
        // B authenticates the key, and keeps it, before A revokes it.
        await onB.send(new GetCallerIdentityCommand({}));
        await onB.send(new GetCallerIdentityCommand({}));
        const root = iamClient(endpoint(0));
        if (round % 2 === 0) await root.send(new DeleteAccessKeyCommand({ UserName: `revoked-${round}`, AccessKeyId: key.accessKeyId }));
        else await root.send(new UpdateAccessKeyCommand({ UserName: `revoked-${round}`, AccessKeyId: key.accessKeyId, Status: 'Inactive' }));
        const refused = await failure(onB.send(new GetCallerIdentityCommand({})));
        assert.equal(refused.name, 'InvalidClientTokenId', `round ${round}`);
      }
    } finally {
      await stop();
    }
  });

  test('a Deny added on A stops the action on B at once, though B has the allowing policies compiled', async () => {
    const stop = hammer(await userWithKey('busy-too'));
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const name = `denied-${round}`;
        const key = await userWithKey(name, doc({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }));
        const onB = iamClient(endpoint(1), key);
        await onB.send(new ListUsersCommand({ MaxItems: 1 }));
        await onB.send(new ListUsersCommand({ MaxItems: 1 }));
        await iamClient(endpoint(0)).send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'deny', PolicyDocument: doc({ Effect: 'Deny', Action: 'iam:ListUsers', Resource: '*' }) }));
        const refused = await failure(onB.send(new ListUsersCommand({ MaxItems: 1 })));
        assert.equal(refused.name, 'AccessDenied', `round ${round}`);
      }
    } finally {
      await stop();
    }
  });

  test('caches are scoped by account: a write in a member account moves only its version on B, and its revocations hold at once', async () => {
    await organizationsClient(endpoint(0)).send(new CreateOrganizationCommand({}));
    const member = (await organizationsClient(endpoint(0)).send(new CreateAccountCommand({ Email: 'scoped@example.com', AccountName: 'scoped' }))).CreateAccountStatus?.AccountId ?? '';
    const admin = await userWithKey('scoped-admin', doc({ Effect: 'Allow', Action: '*', Resource: '*' }));
    const management = (await stsClient(endpoint(0), admin).send(new GetCallerIdentityCommand({}))).Account ?? '';
    const session = keyOf((await stsClient(endpoint(0), admin).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, RoleSessionName: 'ops' }))).Credentials);
    const inMember = iamClient(endpoint(0), session);
    await inMember.send(new CreateUserCommand({ UserName: 'worker' }));
    await inMember.send(new PutUserPolicyCommand({ UserName: 'worker', PolicyName: 'allow', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }) }));
    const created = (await inMember.send(new CreateAccessKeyCommand({ UserName: 'worker' }))).AccessKey;
    const worker = { accessKeyId: created?.AccessKeyId ?? '', secretAccessKey: created?.SecretAccessKey ?? '' };
    const onB = iamClient(endpoint(1), worker);
    await onB.send(new ListUsersCommand({ MaxItems: 1 }));

    const storeB = nodes.node(1).running.store;
    const before = [storeB.versionOf(management), storeB.versionOf(member)];
    await inMember.send(new TagUserCommand({ UserName: 'worker', Tags: [{ Key: 'team', Value: 'blue' }] }));
    await storeB.settle?.();
    assert.equal(storeB.versionOf(management), before[0], 'a TagUser in the member account leaves the management account\'s caches on B');
    assert.ok(storeB.versionOf(member) > (before[1] as number), 'and moves the member account\'s');

    await inMember.send(new PutUserPolicyCommand({ UserName: 'worker', PolicyName: 'deny', PolicyDocument: doc({ Effect: 'Deny', Action: 'iam:ListUsers', Resource: '*' }) }));
    assert.equal((await failure(onB.send(new ListUsersCommand({ MaxItems: 1 })))).name, 'AccessDenied');
    await inMember.send(new DeleteAccessKeyCommand({ UserName: 'worker', AccessKeyId: worker.accessKeyId }));
    assert.equal((await failure(stsClient(endpoint(1), worker).send(new GetCallerIdentityCommand({})))).name, 'InvalidClientTokenId');
  });
});
