// The audit trail end to end with the AWS SDK v3: what each kind of call records, field by field, read back from the
// server's event log (the store LookupEvents will serve).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetUserCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AuditEventRecord } from '../src/store/store.js';
import { failure, iamClient, keyOf, stsClient, type Key } from './helpers/clients.js';
import { ROOT_KEY, TEST_ACCOUNT_ID, useTestServer, type TestServerHandle } from './helpers/server.js';

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every event of the account, newest first. */
async function events(server: TestServerHandle, filter: { eventName?: string; userName?: string } = {}): Promise<AuditEventRecord[]> {
  const found: AuditEventRecord[] = [];
  let nextToken: string | undefined;
  do {
    const page = await server.running.store.events.query({ account: TEST_ACCOUNT_ID, maxResults: 100, ...filter, ...(nextToken !== undefined ? { nextToken } : {}) });
    found.push(...page.events);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return found;
}

/** The one record of the request with this ID. */
async function recordOf(server: TestServerHandle, requestId: string | undefined): Promise<Rec> {
  assert.ok(requestId !== undefined);
  const matches = (await events(server)).map((e) => JSON.parse(e.record) as Rec).filter((r) => r['requestID'] === requestId);
  assert.equal(matches.length, 1, `one event for request ${requestId}`);
  return matches[0] as Rec;
}

const ALLOW_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

async function userWithKey(server: TestServerHandle, name: string, policy?: string): Promise<Key> {
  const iam = iamClient(server.endpoint);
  await iam.send(new CreateUserCommand({ UserName: name }));
  if (policy !== undefined) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey?.AccessKeyId ?? '', secretAccessKey: AccessKey?.SecretAccessKey ?? '' };
}

describe('audit trail (on by default)', () => {
  const server = useTestServer();

  test('CreateUser by the root user: every CloudTrail field, as AWS records it', async () => {
    const out = await iamClient(server.endpoint).send(new CreateUserCommand({ UserName: 'Bob', Path: '/team/', Tags: [{ Key: 'team', Value: 'blue' }] }));
    const r = await recordOf(server, out.$metadata.requestId);
    assert.deepEqual(Object.keys(r), [
      'eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent', 'requestParameters',
      'responseElements', 'requestID', 'eventID', 'readOnly', 'eventType', 'managementEvent', 'recipientAccountId', 'eventCategory',
    ]);
    assert.equal(r['eventVersion'], '1.11');
    assert.deepEqual(r['userIdentity'], { type: 'Root', principalId: TEST_ACCOUNT_ID, arn: `arn:aws:iam::${TEST_ACCOUNT_ID}:root`, accountId: TEST_ACCOUNT_ID, accessKeyId: ROOT_KEY.accessKeyId });
    assert.match(r['eventTime'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(r['eventSource'], 'iam.amazonaws.com');
    assert.equal(r['eventName'], 'CreateUser');
    assert.equal(r['awsRegion'], 'us-east-1');
    assert.equal(r['sourceIPAddress'], '127.0.0.1');
    assert.match(r['userAgent'], /aws-sdk-js/);
    assert.deepEqual(r['requestParameters'], { path: '/team/', userName: 'Bob', tags: [{ key: 'team', value: 'blue' }] });
    const user = r['responseElements']['user'];
    assert.deepEqual(Object.keys(user).sort(), ['arn', 'createDate', 'path', 'tags', 'userId', 'userName']);
    assert.equal(user['arn'], `arn:aws:iam::${TEST_ACCOUNT_ID}:user/team/Bob`);
    assert.match(user['createDate'], /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d:\d\d (AM|PM)$/);
    assert.match(r['eventID'], /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(r['readOnly'], false);
    assert.equal(r['eventType'], 'AwsApiCall');
    assert.equal(r['managementEvent'], true);
    assert.equal(r['recipientAccountId'], TEST_ACCOUNT_ID);
    assert.equal(r['eventCategory'], 'Management');
    const [indexed] = await events(server, { eventName: 'CreateUser', userName: 'root' });
    assert.deepEqual(indexed?.resources, [{ type: 'AWS::IAM::User', name: 'Bob' }]);
    assert.equal(indexed?.accessKeyId, ROOT_KEY.accessKeyId);
  });

  test('a Get call is read-only and its response is not logged; an IAM user is IAMUser without a session context', async () => {
    const key = await userWithKey(server, 'reader', ALLOW_ALL);
    const out = await iamClient(server.endpoint, key).send(new GetUserCommand({}));
    const r = await recordOf(server, out.$metadata.requestId);
    assert.deepEqual(r['userIdentity'], { type: 'IAMUser', principalId: out.User?.UserId, arn: out.User?.Arn, accountId: TEST_ACCOUNT_ID, accessKeyId: key.accessKeyId, userName: 'reader' });
    assert.equal(r['requestParameters'], null);
    assert.equal(r['responseElements'], null);
    assert.equal(r['readOnly'], true);
  });

  test('a denied call is recorded with AWS error code and message', async () => {
    const key = await userWithKey(server, 'nobody');
    const denied = await failure(iamClient(server.endpoint, key).send(new ListUsersCommand({})));
    const [event] = await events(server, { eventName: 'ListUsers', userName: 'nobody' });
    const r = JSON.parse(event?.record ?? '{}') as Rec;
    assert.equal(r['errorCode'], 'AccessDenied');
    assert.equal(r['errorMessage'], denied.message);
    assert.equal(r['responseElements'], null);
    assert.deepEqual(Object.keys(r).slice(7, 10), ['userAgent', 'errorCode', 'errorMessage']);
  });

  test('a failed call (no such entity) is recorded with its error', async () => {
    const missing = await failure(iamClient(server.endpoint).send(new GetUserCommand({ UserName: 'ghost' })));
    assert.equal(missing.name, 'NoSuchEntityException');
    const [event] = await events(server, { eventName: 'GetUser', userName: 'root' });
    const r = JSON.parse(event?.record ?? '{}') as Rec;
    assert.equal(r['errorCode'], 'NoSuchEntity');
    assert.deepEqual(r['requestParameters'], { userName: 'ghost' });
  });

  test('secrets never reach the record: a password, a secret access key', async () => {
    const iam = iamClient(server.endpoint);
    await iam.send(new CreateUserCommand({ UserName: 'secretive' }));
    const password = 'Correct-Horse-Battery-Staple-42!';
    const profile = await iam.send(new CreateLoginProfileCommand({ UserName: 'secretive', Password: password, PasswordResetRequired: true }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'secretive' }));
    const profileRecord = await recordOf(server, profile.$metadata.requestId);
    assert.deepEqual(profileRecord['requestParameters'], { userName: 'secretive', passwordResetRequired: true });
    const keyRecord = await recordOf(server, key.$metadata.requestId);
    assert.deepEqual(Object.keys(keyRecord['responseElements']['accessKey']).sort(), ['accessKeyId', 'createDate', 'status', 'userName']);
    const all = (await events(server)).map((e) => e.record).join('\n');
    assert.ok(!all.includes(password), 'the password is nowhere');
    assert.ok(!all.includes(key.AccessKey?.SecretAccessKey ?? '?'), 'the secret access key is nowhere');
    assert.ok(!all.includes(ROOT_KEY.secretAccessKey), 'the root secret is nowhere');
  });

  test('AssumeRole: credentials without the secret, the role as resource; the session then calls as AssumedRole', async () => {
    const iam = iamClient(server.endpoint);
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT_ID}:root` }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'] }] });
    const role = await iam.send(new CreateRoleCommand({ RoleName: 'Deployer', Path: '/ops/', AssumeRolePolicyDocument: trust }));
    const key = await userWithKey(server, 'assumer', ALLOW_ALL);
    const assumed = await stsClient(server.endpoint, key).send(new AssumeRoleCommand({ RoleArn: role.Role?.Arn, RoleSessionName: 'deploy-1', DurationSeconds: 900, SourceIdentity: 'alice' }));
    const r = await recordOf(server, assumed.$metadata.requestId);
    assert.equal(r['eventSource'], 'sts.amazonaws.com');
    assert.equal(r['readOnly'], true);
    assert.deepEqual(r['requestParameters'], { roleArn: role.Role?.Arn, roleSessionName: 'deploy-1', durationSeconds: 900, sourceIdentity: 'alice' });
    const credentials = r['responseElements']['credentials'];
    assert.deepEqual(Object.keys(credentials).sort(), ['accessKeyId', 'expiration', 'sessionToken']);
    assert.equal(credentials['accessKeyId'], assumed.Credentials?.AccessKeyId);
    assert.equal(credentials['sessionToken'], assumed.Credentials?.SessionToken);
    assert.deepEqual(r['responseElements']['assumedRoleUser'], { assumedRoleId: assumed.AssumedRoleUser?.AssumedRoleId, arn: assumed.AssumedRoleUser?.Arn });
    assert.deepEqual(r['resources'], [{ accountId: TEST_ACCOUNT_ID, type: 'AWS::IAM::Role', ARN: role.Role?.Arn }]);
    assert.ok(!JSON.stringify(r).includes(assumed.Credentials?.SecretAccessKey ?? '?'));

    const session = keyOf(assumed.Credentials);
    const who = await stsClient(server.endpoint, session).send(new GetCallerIdentityCommand({}));
    const call = await recordOf(server, who.$metadata.requestId);
    const identity = call['userIdentity'];
    assert.equal(identity['type'], 'AssumedRole');
    assert.equal(identity['principalId'], assumed.AssumedRoleUser?.AssumedRoleId);
    assert.equal(identity['arn'], assumed.AssumedRoleUser?.Arn);
    assert.equal(identity['accessKeyId'], session.accessKeyId);
    assert.deepEqual(identity['sessionContext']['sessionIssuer'], { type: 'Role', principalId: role.Role?.RoleId, arn: role.Role?.Arn, accountId: TEST_ACCOUNT_ID, userName: 'Deployer' });
    assert.deepEqual(Object.keys(identity['sessionContext']['attributes']), ['creationDate', 'mfaAuthenticated']);
    assert.equal(identity['sessionContext']['attributes']['mfaAuthenticated'], 'false');
    assert.equal(identity['sessionContext']['sourceIdentity'], 'alice');
    const [bySession] = await events(server, { eventName: 'GetCallerIdentity', userName: 'deploy-1' });
    assert.equal(JSON.parse(bySession?.record ?? '{}')['requestID'], who.$metadata.requestId);
  });

  test('a request that fails authentication is not recorded (as AWS)', async () => {
    const before = (await events(server)).length;
    const bad = await failure(iamClient(server.endpoint, { accessKeyId: ROOT_KEY.accessKeyId, secretAccessKey: 'wrong' }).send(new ListUsersCommand({})));
    assert.equal(bad.name, 'SignatureDoesNotMatch');
    assert.equal((await events(server)).length, before);
  });
});

describe('--audit-failed-authentication', () => {
  const server = useTestServer({ GATEHOUSE_AUDIT_FAILED_AUTHENTICATION: '1' });
  test('a request with a bad signature is recorded as Unknown, without its parameters', async () => {
    const bad = await failure(iamClient(server.endpoint, { accessKeyId: 'AKIAUNKNOWNKEY000001', secretAccessKey: 'x' }).send(new GetUserCommand({ UserName: 'someone' })));
    assert.equal(bad.name, 'InvalidClientTokenId');
    const [event] = await events(server, { eventName: 'GetUser' });
    const r = JSON.parse(event?.record ?? '{}') as Rec;
    assert.deepEqual(r['userIdentity'], { type: 'Unknown', accessKeyId: 'AKIAUNKNOWNKEY000001' });
    assert.equal(r['errorCode'], 'InvalidClientTokenId');
    assert.equal(r['requestParameters'], null);
  });
});

describe('--audit off', () => {
  const server = useTestServer({ GATEHOUSE_AUDIT: 'off' });
  test('nothing is recorded', async () => {
    await iamClient(server.endpoint).send(new CreateUserCommand({ UserName: 'unrecorded' }));
    assert.deepEqual(await events(server), []);
  });
});

describe('enforcement audit mode', () => {
  const server = useTestServer({ GATEHOUSE_ENFORCEMENT: 'audit' });
  test('a denial let through is recorded as a success carrying the would-be error (gatehouseWouldDeny)', async () => {
    const key = await userWithKey(server, 'letthrough');
    const out = await iamClient(server.endpoint, key).send(new ListUsersCommand({}));
    const r = await recordOf(server, out.$metadata.requestId);
    assert.equal(r['errorCode'], undefined);
    assert.equal(r['additionalEventData']['gatehouseWouldDeny']['errorCode'], 'AccessDenied');
    assert.match(r['additionalEventData']['gatehouseWouldDeny']['errorMessage'], /is not authorized to perform: iam:ListUsers/);
    assert.deepEqual(Object.keys(r).slice(9, 12), ['responseElements', 'additionalEventData', 'requestID']);
  });
});
