// IAM temporary delegation requests through the AWS SDK for JavaScript v3 against a real server. boto3 1.26
// (Debian's) predates these operations, so it cannot call them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AcceptDelegationRequestCommand,
  AssociateDelegationRequestCommand,
  CreateAccessKeyCommand,
  CreateDelegationRequestCommand,
  CreateUserCommand,
  GetDelegationRequestCommand,
  ListDelegationRequestsCommand,
  PutUserPolicyCommand,
  RejectDelegationRequestCommand,
  SendDelegationTokenCommand,
  UpdateDelegationRequestCommand,
} from '@aws-sdk/client-iam';
import { failure, iamClient, type Key } from './helpers/clients.js';
import { TEST_ACCOUNT_ID, useTestServer } from './helpers/server.js';

const server = useTestServer();

const CREATE = {
  Description: 'Deploy the monitoring stack',
  Permissions: { PolicyTemplateArn: 'arn:aws:iam::aws:policy-template/Monitoring', Parameters: [{ Name: 'bucket', Values: ['logs'], Type: 'string' as const }] },
  RequestorWorkflowId: 'workflow-1',
  NotificationChannel: `arn:aws:sns:us-east-1:${TEST_ACCOUNT_ID}:delegation`,
  SessionDuration: 3600,
};

async function userKey(name: string, policy?: object): Promise<Key> {
  const root = iamClient(server.endpoint);
  await root.send(new CreateUserCommand({ UserName: name }));
  if (policy !== undefined) await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) }));
  const key = (await root.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
  return { accessKeyId: key?.AccessKeyId ?? '', secretAccessKey: key?.SecretAccessKey ?? '' };
}

describe('delegation requests (SDK v3)', () => {
  test('the lifecycle: create, associate, update, accept, reject; invalid transitions refused; the token is never faked', async () => {
    const iam = iamClient(server.endpoint);
    const id = (await iam.send(new CreateDelegationRequestCommand({ ...CREATE, OnlySendByOwner: false }))).DelegationRequestId ?? '';
    assert.equal((await iam.send(new GetDelegationRequestCommand({ DelegationRequestId: id }))).DelegationRequest?.State, 'UNASSIGNED');
    const early = await failure(iam.send(new AcceptDelegationRequestCommand({ DelegationRequestId: id })));
    assert.match(early.name, /^InvalidInput(Exception)?$/);
    assert.equal(early.status, 400);
    await iam.send(new AssociateDelegationRequestCommand({ DelegationRequestId: id }));
    await iam.send(new UpdateDelegationRequestCommand({ DelegationRequestId: id, Notes: 'for the admins' }));
    const pending = (await iam.send(new GetDelegationRequestCommand({ DelegationRequestId: id }))).DelegationRequest;
    assert.equal(pending?.State, 'PENDING_APPROVAL');
    assert.equal(pending?.Notes, 'for the admins');
    assert.equal(pending?.Permissions?.Parameters?.[0]?.Values?.[0], 'logs');
    assert.ok(pending?.CreateDate instanceof Date);
    await iam.send(new AcceptDelegationRequestCommand({ DelegationRequestId: id }));
    const send = await failure(iam.send(new SendDelegationTokenCommand({ DelegationRequestId: id })));
    assert.deepEqual([send.name, send.status], ['NotImplemented', 501]);
    assert.equal((await iam.send(new GetDelegationRequestCommand({ DelegationRequestId: id }))).DelegationRequest?.State, 'ACCEPTED');
    const listed = await iam.send(new ListDelegationRequestsCommand({}));
    assert.ok(listed.DelegationRequests?.some((r) => r.DelegationRequestId === id));
    await iam.send(new RejectDelegationRequestCommand({ DelegationRequestId: id, Notes: 'no longer needed' }));
    const rejected = (await iam.send(new GetDelegationRequestCommand({ DelegationRequestId: id }))).DelegationRequest;
    assert.deepEqual([rejected?.State, rejected?.RejectionReason], ['REJECTED', 'no longer needed']);
    const again = await failure(iam.send(new AcceptDelegationRequestCommand({ DelegationRequestId: id })));
    assert.match(again.name, /^InvalidInput(Exception)?$/);
    assert.equal(again.status, 400);
    assert.match(again.message, /state REJECTED and cannot be accepted/);
    const missing = await failure(iam.send(new GetDelegationRequestCommand({ DelegationRequestId: 'dr-00000000000000000000' })));
    assert.match(missing.name, /^NoSuchEntity(Exception)?$/);
    assert.equal(missing.status, 404);
    const bad = await failure(iam.send(new CreateDelegationRequestCommand({ ...CREATE, NotificationChannel: 'not-a-topic' })));
    assert.match(bad.name, /^InvalidInput(Exception)?$/);
    assert.equal(bad.status, 400);
  });

  test('a user without permission is denied, naming the action and the delegation request', async () => {
    const root = iamClient(server.endpoint);
    const id = (await root.send(new CreateDelegationRequestCommand(CREATE))).DelegationRequestId ?? '';
    const eve = iamClient(server.endpoint, await userKey('eve-delegation', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetDelegationRequest', Resource: '*' }] }));
    assert.equal((await eve.send(new GetDelegationRequestCommand({ DelegationRequestId: id }))).DelegationRequest?.State, 'UNASSIGNED');
    const denied = await failure(eve.send(new AcceptDelegationRequestCommand({ DelegationRequestId: id })));
    assert.equal(denied.name, 'AccessDenied');
    assert.match(denied.message, new RegExp(`iam:AcceptDelegationRequest on resource: arn:aws:iam::${TEST_ACCOUNT_ID}:delegation-request/${id}`));
    const create = await failure(eve.send(new CreateDelegationRequestCommand(CREATE)));
    assert.match(create.message, new RegExp(`iam:CreateDelegationRequest on resource: arn:aws:iam::${TEST_ACCOUNT_ID}:delegation-request/\\*`));
    const list = await failure(eve.send(new ListDelegationRequestsCommand({})));
    assert.equal(list.name, 'AccessDenied');
  });
});
