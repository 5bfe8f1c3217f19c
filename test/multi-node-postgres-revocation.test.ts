// Revocation across nodes, with no waiting: a change node A acknowledged is in force for the very next request node B
// answers, even when B holds the revoked key or the allowing policies in its caches and is busy with other clients.
// Driven by the AWS SDK for JavaScript v3 against two real servers sharing one PostgreSQL database.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand, DeleteAccessKeyCommand, ListUsersCommand, PutUserPolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { failure, iamClient, stsClient, type Key } from './helpers/clients.js';
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
});
